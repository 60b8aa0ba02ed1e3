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

        var file = await CsvImport.ReadFileAsync(request, ct);
        if (file.Bytes is not { } bytes)
        {
            return file.Refusal<ImportResult>();
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
}
