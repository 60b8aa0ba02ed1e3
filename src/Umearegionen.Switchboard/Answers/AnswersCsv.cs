using Umearegionen.Switchboard.Directory;

namespace Umearegionen.Switchboard.Answers;

public sealed record AnswerImportResult(int Created, int Updated);

/// <summary>
/// Answers as CSV (docs/answers.md): the export is what the import reads. An import matches rows to
/// answers by key within the municipality: a known key updates that answer, a new one creates an
/// answer. Every row is checked and nothing is written unless all rows pass.
/// </summary>
public static class AnswersCsv
{
    public static readonly IReadOnlyList<string> Columns =
        ["key", "question", "answer", "topics", "units", "eservices", "valid_from", "valid_to"];

    public const int MaxRows = 10_000;

    public static RouteGroupBuilder MapAnswersCsv(this RouteGroupBuilder answers)
    {
        answers.MapGet("/export/{code}", Export).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("A municipality's answers (or 'shared') as CSV, the columns the import reads.");
        answers.MapPost("/import/{code}", Import).RequireAuthorization(Policies.Editors).Accepts<string>("text/csv", "multipart/form-data")
            .WithSummary("Load a municipality's answers (or 'shared', administrators) from a CSV file (text/csv body or a multipart " +
                         "'file'); rows are matched by key. Nothing is written unless all rows pass.");
        return answers;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(
        string code, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        string? municipality = code == "shared" ? null : code;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (municipality is not null && !await Municipalities.ExistsAsync(conn, null, municipality, ct))
        {
            return Problems.NotFound($"No municipality has code '{code}'; use a municipality code or 'shared'.");
        }

        var page = await AnswerStore.ListAsync(conn, new AnswerFilter(municipality, municipality is null, false, null, null, null, null, 0, 100_000), ct);
        var keys = (await conn.QueryAsync<(Guid Id, string? Key)>(new CommandDefinition(
            "select id, external_key from directory_units where id = any (@ids)",
            new { ids = page.Answers.SelectMany(a => a.UnitIds).Distinct().ToArray() }, cancellationToken: ct))).ToDictionary(u => u.Id, u => u.Key);
        var csv = new StringBuilder();
        csv.Append(string.Join(';', Columns)).Append("\r\n");
        foreach (var a in page.Answers)
        {
            string[] fields =
            [
                a.ExternalKey ?? "", a.Question, a.Answer, string.Join('|', a.Topics),
                string.Join('|', a.UnitIds.Select(id => keys.GetValueOrDefault(id) ?? id.ToString())),
                string.Join('|', a.EServices.Select(e => $"{e.Name}={e.Url}")),
                a.ValidFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                a.ValidTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            ];
            csv.Append(string.Join(';', fields.Select(Quote))).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"answers-{code}.csv");
    }

    /// <summary>Every field quoted, a quote doubled; a leading =, +, - or @ gets a ' (<see cref="CsvImport.Quote"/>).</summary>
    private static string Quote(string value) => CsvImport.Quote(value);

    private static async Task<Results<Ok<AnswerImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        string code, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time,
        DirectoryEvents events, CancellationToken ct)
    {
        string? municipality = code == "shared" ? null : code;
        if (!user.MayEditAnswer(municipality))
        {
            return Problems.Forbidden(municipality is null
                ? "Only administrators import shared answers."
                : $"You may import only your own municipality's answers ({user.MunicipalityCode()}), not {code}'s.");
        }

        var file = await CsvImport.ReadFileAsync(request, ct);
        if (file.Bytes is not { } bytes)
        {
            return file.Refusal<AnswerImportResult>();
        }

        var errors = new List<ImportRowError>();
        var rows = ReadCsv(Csv.Decode(bytes), errors);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (municipality is not null && !await Municipalities.ExistsAsync(conn, null, municipality, ct))
        {
            return Problems.NotFound($"No municipality has code '{code}'.");
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        var unitKeys = (await conn.QueryAsync<(string Key, Guid Id)>(new CommandDefinition(
                "select external_key, id from directory_units where external_key is not null and (@municipality::text is null or municipality_code = @municipality)",
                new { municipality }, tx, cancellationToken: ct)))
            .GroupBy(u => u.Key).ToDictionary(g => g.Key, g => g.First().Id);
        var existing = (await conn.QueryAsync<(string Key, Guid Id)>(new CommandDefinition(
                "select external_key, id from answers where external_key is not null and coalesce(municipality_code, '') = coalesce(@municipality, '') for update",
                new { municipality }, tx, cancellationToken: ct)))
            .ToDictionary(a => a.Key, a => a.Id);

        var plan = new List<(Guid? Existing, AnswerValues Values)>();
        var seenKeys = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            var fields = new FieldErrors();
            var sent = RequestFrom(municipality, row, unitKeys, fields);
            var values = AnswerStore.Check(sent, fields);
            foreach (var (field, messages) in fields.ToDictionary())
            {
                errors.AddRange(messages.Select(m => new ImportRowError(row.Row, Column(field), m)));
            }

            if (values.ExternalKey is { } key)
            {
                if (seenKeys.TryGetValue(key, out var first))
                {
                    errors.Add(new ImportRowError(row.Row, "key", $"The key '{key}' is used on row {first} too; keys are unique."));
                }

                seenKeys.TryAdd(key, row.Row);
            }

            plan.Add((values.ExternalKey is { } k && existing.TryGetValue(k, out var id) ? id : null, values));
        }

        if (errors.Count > 0)
        {
            return CsvImport.Rejected(errors);
        }

        var now = time.GetUtcNow();
        var actor = user.Actor();
        var (created, updated) = (0, 0);
        foreach (var (existingId, values) in plan)
        {
            if (existingId is { } id)
            {
                var before = await AnswerStore.FindAsync(conn, id, ct, tx, forUpdate: true);
                var after = await AnswerStore.UpdateAsync(conn, tx, id, values, now, ct);
                await Audit.RecordAsync(conn, tx, actor, now, AnswerStore.EntityType, id.ToString(), municipality, "imported", before, after);
                updated++;
            }
            else
            {
                var answer = await AnswerStore.InsertAsync(conn, tx, Guid.CreateVersion7(), values, now, ct);
                await Audit.RecordAsync(conn, tx, actor, now, AnswerStore.EntityType, answer.Id.ToString(), municipality, "imported", null, answer);
                created++;
            }
        }

        await tx.CommitAsync(ct);
        await events.PublishAsync("answer-import", code, municipality ?? "", "imported", null, now);
        return TypedResults.Ok(new AnswerImportResult(created, updated));
    }

    public static IReadOnlyList<ImportRow> ReadCsv(string text, List<ImportRowError> errors) =>
        CsvImport.ReadRows(text, Columns, ["question", "answer"], MaxRows, "answer", errors);

    private static AnswerEntryRequest RequestFrom(string? municipality, ImportRow row, Dictionary<string, Guid> unitKeys, FieldErrors errors)
    {
        var services = CsvImport.EServices(row["eservices"], errors);
        var units = new List<Guid>();
        foreach (var item in CsvImport.Split(row["units"]))
        {
            if (Guid.TryParse(item, out var id) || unitKeys.TryGetValue(item, out id))
            {
                units.Add(id);
            }
            else
            {
                errors.Add("units", $"'{item}' is neither a unit id nor the key of a unit{(municipality is null ? "" : $" of {municipality}")}.");
            }
        }

        return new AnswerEntryRequest(municipality, row["key"], row["question"], Unquote(row.Fields.GetValueOrDefault("answer")),
            [.. CsvImport.Split(row["topics"])], units, services, Date("valid_from", row["valid_from"], errors), Date("valid_to", row["valid_to"], errors));
    }

    /// <summary>The answer keeps its line breaks (ImportRow's indexer trims only the ends).</summary>
    private static string? Unquote(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static DateOnly? Date(string column, string? value, FieldErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors.Add(column == "valid_from" ? "validFrom" : "validTo", $"{column} '{value}' is not a date; write it as 2026-12-24.");
        return null;
    }

    private static string Column(string field) => field switch
    {
        "externalKey" => "key",
        "validFrom" => "valid_from",
        "validTo" => "valid_to",
        _ when field.StartsWith("topics", StringComparison.Ordinal) => "topics",
        _ when field.StartsWith("unitIds", StringComparison.Ordinal) => "units",
        _ when field.StartsWith("eServices", StringComparison.Ordinal) => "eservices",
        _ => field,
    };
}
