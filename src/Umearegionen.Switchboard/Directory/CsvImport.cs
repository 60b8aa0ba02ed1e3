namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// What the CSV imports share (the directory's, <see cref="DirectoryImport"/>, and the answers',
/// Answers/AnswersCsv.cs): reading the file, its header and rows, the lists in a cell, and the 422
/// that lists every problem by row.
/// </summary>
public static partial class CsvImport
{
    /// <summary>The largest file an import reads.</summary>
    public const long MaxFileBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Parses a CSV text into rows by the header's columns (<paramref name="columns"/>, of which
    /// <paramref name="required"/> must be there); problems with the file itself are reported on row 1,
    /// and then no row is returned. <paramref name="eachRowIs"/> names what a row holds, for the message
    /// about a file without rows.
    /// </summary>
    public static IReadOnlyList<ImportRow> ReadRows(
        string text, IReadOnlyList<string> columns, IReadOnlyList<string> required, int maxRows, string eachRowIs, List<ImportRowError> errors)
    {
        var records = Csv.Parse(text, Csv.DetectDelimiter(text));
        if (records.Count < 2)
        {
            errors.Add(new ImportRowError(1, "file", $"The file has no data rows: give a header row ({string.Join(";", columns)}) and one row per {eachRowIs}."));
            return [];
        }

        var header = records[0].Select(h => h.Trim().ToLowerInvariant()).ToArray();
        foreach (var unknown in header.Where(h => !columns.Contains(h)))
        {
            errors.Add(new ImportRowError(1, unknown, $"Unknown column '{unknown}'; the columns are: {string.Join(", ", columns)}."));
        }

        foreach (var column in required.Where(r => !header.Contains(r)))
        {
            errors.Add(new ImportRowError(1, column, $"The header has no '{column}' column."));
        }

        if (records.Count - 1 > maxRows)
        {
            errors.Add(new ImportRowError(1, "file", $"The file has {records.Count - 1} rows; import at most {maxRows} at a time."));
        }

        if (errors.Count > 0)
        {
            return [];
        }

        var rows = new List<ImportRow>();
        for (var i = 1; i < records.Count; i++)
        {
            if (records[i].Length != header.Length)
            {
                errors.Add(new ImportRowError(i + 1, "row", $"The row has {records[i].Length} fields but the header has {header.Length}; check the separators and quotes."));
                continue;
            }

            // PostgreSQL cannot store a NUL character in text.
            var withNul = header.Zip(records[i]).Where(p => p.Second.Contains('\0')).Select(p => p.First).ToList();
            errors.AddRange(withNul.Select(column => new ImportRowError(i + 1, column, $"The '{column}' cell contains a NUL character (\\u0000); remove it.")));
            if (withNul.Count == 0)
            {
                rows.Add(new ImportRow(i + 1, header.Zip(records[i]).ToDictionary(p => p.First, p => p.Second)));
            }
        }

        return rows;
    }

    /// <summary>The items of a cell's list, separated by '|', trimmed, blanks left out.</summary>
    public static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The e-services of an <c>eservices</c> cell (<c>name=link|…</c>); an item without a name is an error on the column.</summary>
    public static List<EService?> EServices(string? list, FieldErrors errors)
    {
        var services = new List<EService?>();
        foreach (var item in Split(list))
        {
            var at = item.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                errors.Add("eservices", $"'{item}' is not an e-service; write name=link, e.g. Ansök om bygglov=https://www.umea.se/bygglov.");
                continue;
            }

            services.Add(new EService(item[..at], item[(at + 1)..]));
        }

        return services;
    }

    /// <summary>
    /// The e-services of an <c>eservices</c> cell with the steps of an <c>eservice_steps</c> cell (the directory's import,
    /// docs/directory.md): the steps of each e-service in the order of <c>eservices</c>, separated by '|', one step a line;
    /// an empty part is an e-service without steps, and a leading "1." or "1)" of a step is its number, not its text.
    /// More parts than e-services is an error on <c>eservice_steps</c>.
    /// </summary>
    public static List<EService?> EServicesWithSteps(string? list, string? steps, FieldErrors errors)
    {
        var services = EServices(list, errors);
        if (string.IsNullOrWhiteSpace(steps))
        {
            return services;
        }

        var parts = steps.Split('|');
        if (parts.Length > services.Count)
        {
            errors.Add("eservice_steps", $"eservice_steps has the steps of {parts.Length} e-services, separated by |, but eservices has " +
                                         $"{services.Count}; give the steps in the order of eservices, one step a line.");
            return services;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var lines = parts[i].Split('\n').Select(l => StepNumber().Replace(l.Trim(), "")).Where(l => l.Length > 0).ToList();
            if (lines.Count > 0)
            {
                services[i] = services[i]! with { Steps = lines };
            }
        }

        return services;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{1,2}[.)]\s+")]
    private static partial System.Text.RegularExpressions.Regex StepNumber();

    /// <summary>
    /// The file of an import request: a text/csv body or the multipart field <c>file</c>. A multipart body
    /// that cannot be read is a 400 naming <c>file</c>; an empty or too large file the 422 of <see cref="Rejected"/>.
    /// </summary>
    public static async Task<ImportFile> ReadFileAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return await ReadFileOrNullAsync(request, ct) is { } bytes
                ? new ImportFile(bytes)
                : new ImportFile(null, Rejected: Rejected([new ImportRowError(0, "file",
                    $"Send the CSV file as a text/csv body or as the multipart field 'file' (at most {MaxFileBytes / 1024 / 1024} MB).")]));
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            // A broken multipart body (no boundary, cut short) is the sender's mistake, not a server error.
            return new ImportFile(null, Unreadable: Problems.Validation("file", "The multipart body could not be read; send the CSV file as a text/csv body " +
                                                                    "or as the field 'file' of a well-formed multipart/form-data body."));
        }
    }

    private static async Task<byte[]?> ReadFileOrNullAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxFileBytes)
        {
            return null;
        }

        Stream source;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null || file.Length > MaxFileBytes)
            {
                return null;
            }

            source = file.OpenReadStream();
        }
        else
        {
            source = request.Body;
        }

        await using (source)
        {
            return await ReadAllAsync(source, ct);
        }
    }

    /// <summary>The whole of <paramref name="source"/>; null when it is empty or larger than <see cref="MaxFileBytes"/>.</summary>
    private static async Task<byte[]?> ReadAllAsync(Stream source, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxFileBytes)
            {
                return null;
            }
        }

        return buffer.Length == 0 ? null : buffer.ToArray();
    }

    /// <summary>
    /// A field as an export writes it: quoted, a quote doubled; a leading =, +, - or @ gets a ' so a
    /// spreadsheet does not run it as a formula.
    /// </summary>
    public static string Quote(string value)
    {
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;
        return "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>An export's rows (header first) as a UTF-8 file with BOM, fields separated by ';' and quoted, lines ended by CRLF.</summary>
    public static byte[] Export(IEnumerable<IEnumerable<string>> rows)
    {
        var csv = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            csv.Append(string.Join(';', row.Select(Quote))).Append("\r\n");
        }

        return [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>422 listing every problem of the file by row; nothing was written.</summary>
    public static ProblemHttpResult Rejected(List<ImportRowError> errors) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The file was not imported",
            detail: $"{errors.Count} problem(s) in the file; nothing was written. Correct the rows listed and import the whole file again.",
            extensions: new Dictionary<string, object?> { ["rows"] = errors });
}

/// <summary>
/// What <see cref="CsvImport.ReadFileAsync"/> read: the file's bytes, or (when <see cref="Bytes"/> is null) why
/// it was refused: a body that could not be read (400) or a file that is empty or too large (422).
/// </summary>
public sealed record ImportFile(byte[]? Bytes, ValidationProblem? Unreadable = null, ProblemHttpResult? Rejected = null)
{
    /// <summary>The refusal as an import handler answers it.</summary>
    public Results<Ok<T>, ValidationProblem, ProblemHttpResult> Refusal<T>() =>
        Unreadable is not null ? Unreadable : Rejected ?? throw new InvalidOperationException("The file was read; nothing refused it.");
}
