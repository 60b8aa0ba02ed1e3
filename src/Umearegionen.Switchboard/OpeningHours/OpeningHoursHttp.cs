namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>
/// Reading requests about opening hours: bodies, dates, instants and versions, each failing with a
/// problem that names the field. Bodies are read here rather than bound by the framework, so a
/// wrong time deep in a schedule is reported as "weekly.monday[1].end", not as an unreadable body.
/// </summary>
internal static class OpeningHoursHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<(T? Value, ValidationProblem? Problem)> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, ct);
            return value is null
                ? (null, Problems.Validation("body", "Send the document as JSON in the request body."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : FieldName(ex.Path.TrimStart('$').TrimStart('.'));

            // The serializer's own messages name types and byte positions; ours say what to write.
            var message = ex.Message.Contains("Path:", StringComparison.Ordinal)
                ? "This value cannot be read here: check its type (a time as \"08:30\", a date as \"2025-06-20\", a list in [ ], true/false)."
                : ex.Message;
            return (null, Problems.Validation(field, message));
        }
    }

    /// <summary>"Weekly.Monday[1].End" → "weekly.monday[1].end", the name of the field in the JSON document.</summary>
    public static string FieldName(string path) =>
        string.Join('.', path.Split('.').Select(segment => segment.Length == 0 ? segment : char.ToLowerInvariant(segment[0]) + segment[1..]));

    /// <summary>The rules' problems as a 400 naming each field; <paramref name="rename"/> maps a domain path prefix to the document's.</summary>
    public static ValidationProblem Invalid(IEnumerable<RuleError> errors, Func<string, string>? rename = null)
    {
        var fields = new FieldErrors();
        foreach (var error in errors)
        {
            fields.Add(FieldName(rename?.Invoke(error.Path) ?? error.Path), error.Message);
        }

        return fields.ToProblem("The opening hours have mistakes; nothing was saved. Correct the fields named and save again.");
    }

    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
        && date.Year is >= SwedishCalendar.FirstSupportedYear and <= SwedishCalendar.LastSupportedYear;

    public static ValidationProblem BadDate(string field, string text) => Problems.Validation(field,
        $"'{text}' is not a date in {SwedishCalendar.FirstSupportedYear}–{SwedishCalendar.LastSupportedYear}; write it as yyyy-MM-dd, e.g. 2025-06-20.");

    /// <summary>An instant with its offset; a '+' that arrived as a space (unencoded in a query) is restored.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text.Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.None, out instant)
        && HasOffset(text)
        && instant.Year is > SwedishCalendar.FirstSupportedYear and < SwedishCalendar.LastSupportedYear;

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' or ' ' && text[^3] == ':');

    public static ValidationProblem BadInstant(string field, string text) => Problems.Validation(field,
        $"'{text}' is not an instant with an offset; write it as ISO 8601, e.g. 2025-06-20T10:00:00+02:00 or 2025-06-20T08:00:00Z.");

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json)
        ?? throw new InvalidOperationException($"Stored {typeof(T).Name} is null.");

    /// <summary>The audit trail of one entity, as stored.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> HistoryAsync(NpgsqlDataSource dataSource, string entityType, string entityId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await Audit.HistoryAsync(conn, entityType, entityId, ct);
    }
}
