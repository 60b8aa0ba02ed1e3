namespace Umearegionen.Switchboard.Directory;

/// <summary>A synonym as clients see it: a word callers use and what it means in the directory.</summary>
public sealed record Synonym(Guid Id, string? MunicipalityCode, string Word, string Means, DateTimeOffset CreatedAt);

public sealed record SynonymRequest(string? MunicipalityCode, string? Word, string? Means);

/// <summary>
/// Synonyms for the operators' search (docs/directory.md, "Synonyms"): everyone signed in reads; editors
/// keep their own municipality's, administrators any and the shared ones (no municipality). A synonym is
/// created or removed, never changed, so it needs no version; every change is audited.
/// </summary>
public static class SynonymsApi
{
    public const string EntityType = "directory_synonym";
    public const int MaxWord = 100;
    public const int MaxMeans = 200;

    public static RouteGroupBuilder MapSynonyms(this IEndpointRouteBuilder directory)
    {
        var group = directory.MapGroup("/synonyms");
        group.MapGet("/", List).RequireAuthorization(Policies.Staff).WithSummary(
            "Search synonyms: all, one municipality's (?municipality=2480) or the shared ones (?municipality=shared), by word.");
        group.MapPost("/", Create).RequireAuthorization(Policies.Editors).WithSummary(
            "Add a synonym of your own municipality (administrators: any, or shared with municipalityCode null).");
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Editors).WithSummary("Remove a synonym.");
        group.MapGet("/{id:guid}/history", History).RequireAuthorization(Policies.Staff)
            .WithSummary("Every recorded change of a synonym: who, when, before and after.");
        group.MapSynonymsCsv();
        return group;
    }

    private const string Columns = "id, municipality_code, word, means, created_at";

    /// <summary>A synonym's word and meaning, checked (the same rules for the API and the CSV import); errors name <c>word</c> and <c>means</c>.</summary>
    internal static (string Word, string Means) Check(string? wordSent, string? meansSent, FieldErrors errors)
    {
        var word = Contact.RequiredName(errors, "word", wordSent, MaxWord);
        if (word.Length > 0 && !word.All(char.IsLetterOrDigit))
        {
            errors.Add("word", "word must be one word of letters and digits, as a caller says it (\"snöplogning\"); " +
                               "for a phrase, add its telling word.");
        }

        var means = Contact.RequiredName(errors, "means", meansSent, MaxMeans);
        if (means.Length > 0 && !means.Any(char.IsLetterOrDigit))
        {
            errors.Add("means", "means must hold at least one word: the topic or term the directory uses (\"snöröjning\").");
        }

        return (word, means);
    }

    /// <summary>Adds a checked synonym; null when the same word and meaning are already kept for the municipality (or shared).</summary>
    internal static async Task<Synonym?> InsertAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string? code, string word, string means, DateTimeOffset now, CancellationToken ct)
    {
        const string Insert = $"""
            insert into directory_synonyms (id, municipality_code, word, means, word_norm, means_query, created_at)
            select @id, @code, @word, @means, directory_norm(@word),
                   -- Letters the database's regular expressions do not count as alphanumeric leave the whole
                   -- meaning as one literal: it then finds nothing, rather than failing.
                   coalesce((select string_agg(quote_literal(w) || ':*', ' & ' order by n)
                             from regexp_split_to_table(directory_norm(@means), '[^[:alnum:]]+') with ordinality as t (w, n) where w <> ''),
                            quote_literal(directory_norm(@means))),
                   @now
            on conflict do nothing
            returning {Columns}
            """;
        return await conn.QuerySingleOrDefaultAsync<Synonym>(new CommandDefinition(
            Insert, new { id = Guid.CreateVersion7(), code, word, means, now }, tx, cancellationToken: ct));
    }

    /// <summary>The synonyms of one municipality, the shared ones (<paramref name="shared"/>) or all, by municipality (shared first) and word.</summary>
    internal static async Task<List<Synonym>> ListAsync(NpgsqlConnection conn, string? municipality, bool shared, CancellationToken ct)
    {
        const string Sql = $"""
            select {Columns} from directory_synonyms
            where (@all or (@shared and municipality_code is null) or municipality_code = @municipality)
            order by municipality_code nulls first, word_norm, means
            """;
        var rows = await conn.QueryAsync<Synonym>(new CommandDefinition(
            Sql, new { all = municipality is null && !shared, shared, municipality }, cancellationToken: ct));
        return rows.ToList();
    }

    internal static bool MayEditSynonym(this ClaimsPrincipal user, string? code) =>
        code is null ? user.IsAdministrator() : user.MayEdit(code);

    internal static string Whose(ClaimsPrincipal user, string? code) => code is null
        ? "Shared synonyms (no municipalityCode) are kept by administrators; an editor adds synonyms of their own municipality " +
          $"({user.MunicipalityCode() ?? "none"}) with municipalityCode set."
        : $"You may change only your own municipality's synonyms ({user.MunicipalityCode() ?? "none"}); this one belongs to {code}.";

    private static async Task<Results<Ok<IReadOnlyList<Synonym>>, ValidationProblem>> List(
        string? municipality, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var shared = municipality == "shared";
        if (municipality is not null && !shared && (municipality.Length != 4 || !municipality.All(char.IsAsciiDigit)))
        {
            return new FieldErrors().Add("municipality", "municipality must be a four-digit municipality code (e.g. 2480 for Umeå) or 'shared'.").ToProblem();
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok<IReadOnlyList<Synonym>>(await ListAsync(conn, shared ? null : municipality, shared, ct));
    }

    private static async Task<Results<Created<Synonym>, ValidationProblem, ProblemHttpResult>> Create(
        SynonymRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var code = string.IsNullOrWhiteSpace(request.MunicipalityCode) ? null : request.MunicipalityCode.Trim();
        var (word, means) = Check(request.Word, request.Means, errors);
        if (!user.MayEditSynonym(code))
        {
            return Problems.Forbidden(Whose(user, code));
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (code is not null && !await conn.ExecuteScalarAsync<bool>(
                new CommandDefinition("select exists (select 1 from municipalities where code = @code)", new { code }, tx, cancellationToken: ct)))
        {
            errors.Add("municipalityCode", $"No municipality has code {code}; use a member's code (e.g. 2480 for Umeå) or null for a shared synonym.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var now = time.GetUtcNow();
        var synonym = await InsertAsync(conn, tx, code, word, means, now, ct);
        if (synonym is null)
        {
            return Problems.Conflict($"The synonym '{word}' → '{means}' is already kept for {code ?? "all municipalities"}.");
        }

        await Audit.RecordAsync(conn, tx, user.Actor(), now, EntityType, synonym.Id.ToString(), code, "created", null, synonym);
        await tx.CommitAsync(ct);
        await events.PublishAsync("synonym", synonym.Id.ToString(), code ?? "", "created", null, now);
        return TypedResults.Created($"/api/directory/synonyms/{synonym.Id}", synonym);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var synonym = await conn.QuerySingleOrDefaultAsync<Synonym>(new CommandDefinition(
            $"select {Columns} from directory_synonyms where id = @id for update", new { id }, tx, cancellationToken: ct));
        if (synonym is null)
        {
            return Problems.NotFound($"No synonym has id {id}.");
        }

        if (!user.MayEditSynonym(synonym.MunicipalityCode))
        {
            return Problems.Forbidden(Whose(user, synonym.MunicipalityCode));
        }

        var now = time.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("delete from directory_synonyms where id = @id", new { id }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, EntityType, id.ToString(), synonym.MunicipalityCode, "deleted", synonym, null);
        await tx.CommitAsync(ct);
        await events.PublishAsync("synonym", id.ToString(), synonym.MunicipalityCode ?? "", "deleted", null, now);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<AuditEntry>>> History(Guid id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await Audit.HistoryAsync(conn, EntityType, id.ToString(), ct));
    }
}
