namespace Umearegionen.Switchboard.Directory;

/// <summary>What a synonyms import did: synonyms added, and rows whose word and meaning were already kept.</summary>
public sealed record SynonymImportResult(int Created, int Unchanged);

/// <summary>
/// Synonyms as CSV (docs/directory.md, "Synonyms as CSV"): the export is what the import reads. A
/// synonym has no key and is never changed in place, so an import only adds: a row whose word and
/// meaning are already kept (or repeat an earlier row) changes nothing. Every row is checked with the
/// API's rules, and nothing is written unless all rows pass.
/// </summary>
public static class SynonymsCsv
{
    public static readonly IReadOnlyList<string> Columns = ["word", "means"];

    public const int MaxRows = 10_000;

    public static RouteGroupBuilder MapSynonymsCsv(this RouteGroupBuilder synonyms)
    {
        synonyms.MapGet("/export/{code}", Export).RequireAuthorization(Policies.Staff).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("A municipality's synonyms (or 'shared') as CSV (word;means), the columns the import reads.");
        synonyms.MapPost("/import/{code}", Import).RequireAuthorization(Policies.Editors).Accepts<string>("text/csv", "multipart/form-data")
            .WithSummary("Add synonyms to a municipality (or 'shared', administrators) from a CSV file (word;means); rows already kept " +
                         "change nothing. Nothing is written unless all rows pass.");
        return synonyms;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(
        string code, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var municipality = code == "shared" ? null : code;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (municipality is not null && !await Municipalities.ExistsAsync(conn, null, municipality, ct))
        {
            return Problems.NotFound($"No municipality has code '{code}'; use a municipality code or 'shared'.");
        }

        var synonyms = await SynonymsApi.ListAsync(conn, municipality, municipality is null, ct);
        var bytes = CsvImport.Export([Columns, .. synonyms.Select(s => new[] { s.Word, s.Means })]);
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"synonyms-{code}.csv");
    }

    private static async Task<Results<Ok<SynonymImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        string code, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time,
        DirectoryEvents events, CancellationToken ct)
    {
        var municipality = code == "shared" ? null : code;
        if (!user.MayEditSynonym(municipality))
        {
            return Problems.Forbidden(SynonymsApi.Whose(user, municipality));
        }

        var file = await CsvImport.ReadFileAsync(request, ct);
        if (file.Bytes is not { } bytes)
        {
            return file.Refusal<SynonymImportResult>();
        }

        var errors = new List<ImportRowError>();
        var rows = CsvImport.ReadRows(Csv.Decode(bytes), Columns, Columns, MaxRows, "synonym", errors);
        var checkedRows = new List<(string Word, string Means)>();
        foreach (var row in rows)
        {
            var fields = new FieldErrors();
            checkedRows.Add(SynonymsApi.Check(row["word"], row["means"], fields));
            foreach (var (field, messages) in fields.ToDictionary())
            {
                errors.AddRange(messages.Select(m => new ImportRowError(row.Row, field, m)));
            }
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (municipality is not null && !await Municipalities.ExistsAsync(conn, null, municipality, ct))
        {
            return Problems.NotFound($"No municipality has code '{code}'.");
        }

        if (errors.Count > 0)
        {
            return CsvImport.Rejected(errors);
        }

        var now = time.GetUtcNow();
        var actor = user.Actor();
        var created = 0;
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (word, means) in checkedRows)
        {
            if (await SynonymsApi.InsertAsync(conn, tx, municipality, word, means, now, ct) is { } synonym)
            {
                await Audit.RecordAsync(conn, tx, actor, now, SynonymsApi.EntityType, synonym.Id.ToString(), municipality, "imported", null, synonym);
                created++;
            }
        }

        await tx.CommitAsync(ct);
        if (created > 0)
        {
            await events.PublishAsync("synonym-import", code, municipality ?? "", "imported", null, now);
        }

        return TypedResults.Ok(new SynonymImportResult(created, checkedRows.Count - created));
    }
}
