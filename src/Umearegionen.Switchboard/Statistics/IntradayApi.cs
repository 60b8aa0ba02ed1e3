namespace Umearegionen.Switchboard.Statistics;

/// <summary>Calls per quarter hour since local midnight, from the calls stored: the manager's intraday chart.</summary>
public sealed record IntradayCalls(DateOnly Date, int IntervalMinutes, IReadOnlyList<IntradayInterval> Intervals);

/// <summary>Calls that arrived in [start, start + interval): how many, how many were answered, how many abandoned.</summary>
public sealed record IntradayInterval(DateTimeOffset Start, int Calls, int Answered, int Abandoned);

public static class IntradayApi
{
    public const int IntervalMinutes = 15;

    public static RouteHandlerBuilder MapIntraday(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/statistics/today", GetToday)
            .RequireAuthorization(Policies.Managers)
            .WithTags("Statistics")
            .WithSummary("Calls per quarter hour since midnight today (every interval up to now, empty ones included)");

    // Read through calls_queued_today (queued_at); a day is read once per page load and per minute, not
    // per live snapshot.
    private const string Sql = """
        select date_bin(@step, queued_at, @from) as start, count(*)::int as calls,
               count(*) filter (where answered_at is not null)::int as answered,
               count(*) filter (where state = 'abandoned')::int as abandoned
        from calls
        where queued_at >= @from and queued_at <= @now
        group by 1
        """;

    private static async Task<Ok<IntradayCalls>> GetToday(
        NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var from = LiveView.StartOfDay(now, options.Value.TimeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var step = TimeSpan.FromMinutes(IntervalMinutes);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var counted = (await conn.QueryAsync<IntradayInterval>(new CommandDefinition(Sql, new { step, from, now }, cancellationToken: ct)))
            .ToDictionary(i => i.Start);
        var intervals = new List<IntradayInterval>();
        for (var start = from; start <= now; start += step)
        {
            intervals.Add(counted.TryGetValue(start, out var i) ? i : new IntradayInterval(start, 0, 0, 0));
        }

        return TypedResults.Ok(new IntradayCalls(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime), IntervalMinutes, intervals));
    }
}
