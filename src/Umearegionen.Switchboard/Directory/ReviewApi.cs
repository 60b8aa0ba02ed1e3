namespace Umearegionen.Switchboard.Directory;

public sealed record OverdueEntry(string Kind, Guid Id, string Name, string MunicipalityCode, DateTimeOffset ReviewedAt, DateTimeOffset DueAt);

/// <summary>Freshness (reviews and the overdue list) and the change history of every entry.</summary>
public static class ReviewApi
{
    private sealed record Kind(string FindSql, string ReviewSql, string EntityType, string EventKind);

    /// <summary>URL kind → its statements (one per table, never built from input) and names.</summary>
    private static readonly Dictionary<string, Kind> Kinds = new()
    {
        ["units"] = new(
            "select municipality_code, reviewed_at, version from directory_units where id = @id for update",
            "update directory_units set reviewed_at = @now where id = @id",
            Units.EntityType, "unit"),
        ["people"] = new(
            "select municipality_code, reviewed_at, version from directory_people where id = @id for update",
            "update directory_people set reviewed_at = @now where id = @id",
            People.EntityType, "person"),
    };

    public static IEndpointRouteBuilder MapReviewAndHistory(this IEndpointRouteBuilder directory)
    {
        directory.MapPost("/{kind:regex(^(units|people)$)}/{id:guid}/review", Review).RequireAuthorization(Policies.Editors)
            .WithSummary("Mark an entry of your own municipality as reviewed now (it is current as it stands).");
        directory.MapGet("/overdue", Overdue).RequireAuthorization(Policies.Editors).WithSummary(
            "Entries not reviewed within Directory:ReviewPeriod, oldest first: an editor's own municipality; " +
            "administrators all, or one with ?municipality=2480.");
        directory.MapGet("/{kind:regex(^(units|people|municipalities)$)}/{id}/history", History).RequireAuthorization(Policies.Staff)
            .WithSummary("Every recorded change of an entry: who, when, before and after.");
        return directory;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Review(
        string kind, Guid id, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, CancellationToken ct)
    {
        var (findSql, reviewSql, entityType, eventKind) = Kinds[kind];
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await conn.QuerySingleOrDefaultAsync<(string MunicipalityCode, DateTimeOffset ReviewedAt, int Version)?>(new CommandDefinition(
            findSql, new { id }, tx, cancellationToken: ct));
        if (before is not { } entry)
        {
            return Problems.NotFound($"No entry of {kind} has id {id}.");
        }

        if (!user.MayEdit(entry.MunicipalityCode))
        {
            return Problems.Forbidden($"You may review only your own municipality's entries; this one belongs to {entry.MunicipalityCode}.");
        }

        // A review changes no content, so it does not bump the version (an editor's open edit stays valid).
        var now = time.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition(reviewSql, new { id, now }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, entityType, id.ToString(), entry.MunicipalityCode, "reviewed",
            new { reviewedAt = entry.ReviewedAt }, new { reviewedAt = now });
        await tx.CommitAsync(ct);
        await events.PublishAsync(eventKind, id.ToString(), entry.MunicipalityCode, "reviewed", entry.Version, now);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<OverdueEntry>>, ProblemHttpResult>> Overdue(
        string? municipality, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time,
        IOptions<DirectoryOptions> options, CancellationToken ct)
    {
        if (!user.IsAdministrator())
        {
            if (user.MunicipalityCode() is null)
            {
                return Problems.Forbidden("Your account belongs to no municipality, so there is no overdue list for you.");
            }

            if (municipality is not null && municipality != user.MunicipalityCode())
            {
                return Problems.Forbidden($"The overdue list shows only your own municipality's entries ({user.MunicipalityCode()}).");
            }

            municipality = user.MunicipalityCode();
        }

        const string Sql = """
            select 'unit' as kind, id, name, municipality_code, reviewed_at, reviewed_at + @period as due_at
            from directory_units
            where reviewed_at < @cutoff and (@municipality::text is null or municipality_code = @municipality)
            union all
            select 'person', id, name, municipality_code, reviewed_at, reviewed_at + @period
            from directory_people
            where reviewed_at < @cutoff and (@municipality::text is null or municipality_code = @municipality)
            order by reviewed_at, name
            limit 5000
            """;
        var period = options.Value.ReviewPeriod;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<OverdueEntry>(new CommandDefinition(Sql, new
        {
            municipality, period, cutoff = time.GetUtcNow() - period,
        }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<OverdueEntry>>(rows.AsList());
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> History(
        string kind, string id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        // A unit or person is named by its id, a municipality by its four-digit code; anything else names nothing.
        if (kind == "municipalities" ? id.Length != 4 || !id.All(char.IsAsciiDigit) : !Guid.TryParse(id, out _))
        {
            return Problems.Validation("id", kind == "municipalities"
                ? "id must be a municipality code of four digits (e.g. 2480)."
                : "id must be an id such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301.");
        }

        var entityType = kind == "municipalities" ? Municipalities.EntityType : Kinds[kind].EntityType;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await Audit.HistoryAsync(conn, entityType, id, ct));
    }
}
