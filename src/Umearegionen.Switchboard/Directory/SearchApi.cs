namespace Umearegionen.Switchboard.Directory;

public static class SearchApi
{
    public static RouteHandlerBuilder MapDirectorySearch(this IEndpointRouteBuilder directory) =>
        directory.MapGet("/search", Search).RequireAuthorization(Policies.Staff).WithSummary(
            "Search units, people, topics, e-services and answers valid today of the served municipalities, best match first " +
            "(?q=bygglov&municipality=2480&limit=20). Each hit says whether its unit is open now.");

    private static async Task<Results<Ok<IReadOnlyList<SearchHit>>, ValidationProblem>> Search(
        string? q, string? municipality, int? limit, NpgsqlDataSource dataSource, IUnitOpenStatus openStatus,
        TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("q", q?.Trim(), DirectorySearch.MaxQueryLength);
        if (municipality is not null && (municipality.Length != 4 || !municipality.All(char.IsAsciiDigit)))
        {
            errors.Add("municipality", "municipality must be a four-digit municipality code, e.g. 2480 for Umeå.");
        }

        if (limit is < 1 or > DirectorySearch.MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {DirectorySearch.MaxLimit}.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var now = time.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var hits = await DirectorySearch.SearchAsync(conn, q!.Trim(), municipality, limit ?? 20, now, ct);
        var status = await openStatus.OpenNowAsync(hits.Where(h => h.UnitId is not null).Select(h => h.UnitId!.Value).Distinct().ToList(), now, ct);
        return TypedResults.Ok<IReadOnlyList<SearchHit>>(hits
            .Select(h => h.UnitId is { } unit && status.TryGetValue(unit, out var open) ? h with { OpenStatus = open.Status, OpenStatusUntil = open.Until } : h)
            .ToList());
    }
}
