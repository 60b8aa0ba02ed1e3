namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// The signed-in operator's own figures for today (docs/metrics.md, "An operator's own day"): calls
/// handled, average handle time with after-call work, and the share transferred. Only their own.
/// </summary>
public sealed record OperatorDay(DateOnly Date, int CallsHandled, double? AverageHandleSeconds, int Transferred, double? TransferredShare);

public static class OperatorDayApi
{
    public static RouteHandlerBuilder MapOperatorDay(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/statistics/my-day", GetMyDay)
            .RequireAuthorization(Policies.Operators)
            .WithTags("Statistics")
            .WithSummary("The signed-in operator's own figures for today: calls handled, average handle time, share transferred");

    // The calls the operator ended today whose facts the flush has not made yet are made first (as
    // leaving wrap_up does), so a call just ended counts at once and the figures are the statistics'.
    // call_facts_operator (operator_id, ended_at) finds the day's facts.
    private const string Sql = """
        select statistics_make_facts(array(
            select d.call_id from call_facts_due d join calls c on c.id = d.call_id where c.operator_id = @me));

        select count(*)::int as calls_handled,
               round(avg(handle_seconds + wrap_up_seconds), 1)::float8 as average_handle_seconds,
               count(*) filter (where outcome = 'transferred')::int as transferred
        from call_facts
        where operator_id = @me and answered and ended_at >= @from and ended_at < @to;
        """;

    private static async Task<Ok<OperatorDay>> GetMyDay(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, CancellationToken ct)
    {
        var me = Guid.Parse(user.Id());
        var now = clock.GetUtcNow();
        var from = LiveView.StartOfDay(now, options.Value.TimeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var to = LiveView.StartOfDay(from.AddHours(26), options.Value.TimeZone);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { me, from, to }, cancellationToken: ct));
        await read.ReadAsync<int>();
        var day = await read.ReadSingleAsync<DayRow>();
        return TypedResults.Ok(new OperatorDay(date, day.CallsHandled, day.AverageHandleSeconds, day.Transferred,
            Metrics.Ratio(day.Transferred, day.CallsHandled)));
    }

    private sealed record DayRow(int CallsHandled, double? AverageHandleSeconds, int Transferred);
}
