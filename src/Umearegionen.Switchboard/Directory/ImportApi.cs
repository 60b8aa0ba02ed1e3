namespace Umearegionen.Switchboard.Directory;

public static class ImportApi
{
    public static RouteHandlerBuilder MapDirectoryImport(this IEndpointRouteBuilder directory) =>
        directory.MapPost("/municipalities/{code}/import", Import).RequireAuthorization(Policies.Editors)
            .Accepts<string>("text/csv", "multipart/form-data")
            .WithSummary("Load units and people of your municipality from a CSV file (text/csv body or a multipart " +
                         "'file'); every row is checked and nothing is written unless all rows pass. See docs/directory.md.");

    private static async Task<Results<Ok<ImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        string code, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time,
        DirectoryEvents events, CancellationToken ct)
    {
        if (!user.MayEdit(code))
        {
            return Problems.Forbidden($"You may import only into your own municipality ({user.MunicipalityCode()}), not into {code}.");
        }

        byte[]? bytes;
        try
        {
            bytes = await ReadFileAsync(request, ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
        {
            // A broken multipart body (no boundary, cut short) is the sender's mistake, not a server error.
            return Problems.Validation("file", "The multipart body could not be read; send the CSV file as a text/csv body " +
                                              "or as the field 'file' of a well-formed multipart/form-data body.");
        }

        if (bytes is null)
        {
            return CsvImport.Rejected([new ImportRowError(0, "file", $"Send the CSV file as a text/csv body or as the multipart field 'file' (at most {CsvImport.MaxFileBytes / 1024 / 1024} MB).")]);
        }

        var errors = new List<ImportRowError>();
        var rows = DirectoryImport.ReadCsv(Csv.Decode(bytes), errors);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (!await Municipalities.ExistsAsync(conn, null, code, ct))
        {
            return Problems.NotFound($"No municipality has code '{code}'.");
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        var plan = await DirectoryImport.PlanAsync(conn, tx, code, rows, errors, ct);
        if (errors.Count > 0)
        {
            return CsvImport.Rejected(errors);
        }

        var now = time.GetUtcNow();
        var result = await DirectoryImport.WriteAsync(conn, tx, code, plan, user.Actor(), now, ct);
        await tx.CommitAsync(ct);
        await events.PublishAsync("import", code, code, "imported", null, now);
        return TypedResults.Ok(result);
    }

    /// <summary>The file of an import request: a text/csv body or the multipart field <c>file</c>; null when empty or too large.</summary>
    internal static async Task<byte[]?> ReadFileAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > CsvImport.MaxFileBytes)
        {
            return null;
        }

        Stream source;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null || file.Length > CsvImport.MaxFileBytes)
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
            return await CsvImport.ReadAllAsync(source, ct);
        }
    }
}
