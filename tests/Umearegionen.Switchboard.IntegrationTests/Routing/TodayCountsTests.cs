using Microsoft.Extensions.Options;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>A database of its own: the tests write calls straight into it at chosen times.</summary>
public sealed class TodayCountsApp : SwitchboardApp;

/// <summary>
/// The manager's figures for today remember the calls that can no longer change and count only the
/// rest on each read; every read must still equal counting the whole day.
/// </summary>
public sealed class TodayCountsTests(TodayCountsApp app) : IClassFixture<TodayCountsApp>
{
    private static readonly RoutingOptions Options = new();
    private static readonly ServiceLevelOptions ServiceLevel = new();

    // Noon in Stockholm on a day of its own per test, so the tests never count each other's calls.
    private static DateTimeOffset Noon(int day) => new(2031, 3, day, 11, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EveryReadEqualsCountingTheWholeDayAsCallsAreAnsweredAbandonedAndAdded()
    {
        var t = Noon(3);
        var counts = new TodayCounts(Microsoft.Extensions.Options.Options.Create(ServiceLevel));
        await using var conn = await OpenAsync();
        await InsertAsync(conn, t.AddDays(-1), "2480", "completed", answeredAfter: 5);         // yesterday: not today
        await InsertAsync(conn, t.AddMinutes(-50), "2480", "completed", answeredAfter: 10);   // answered in time
        await InsertAsync(conn, t.AddMinutes(-40), "2480", "abandoned", leftAfter: 30);       // abandoned
        await InsertAsync(conn, t.AddMinutes(-39), "2480", "abandoned", leftAfter: 2);        // hung up at once: a short abandon
        var waiting = await InsertAsync(conn, t.AddMinutes(-30), "2403", "queued");            // still waiting when remembered
        var ringing = await InsertAsync(conn, t.AddMinutes(-20), "2403", "queued");
        await InsertAsync(conn, t.AddSeconds(-10), null, "queued");                             // within the margin, no municipality

        await AssertSameAsWholeDayAsync(conn, counts, t);

        // The calls that were open when the day was remembered change; new calls arrive.
        await conn.ExecuteAsync("update calls set state = 'completed', answered_at = @at, completed_at = @at, outcome = 'answered' where id = @id",
            new { id = waiting, at = t.AddMinutes(1) });
        await conn.ExecuteAsync("update calls set state = 'abandoned', caller_left_at = @at, outcome = 'abandoned' where id = @id",
            new { id = ringing, at = t.AddMinutes(1) });
        await InsertAsync(conn, t.AddSeconds(30), "2480", "completed", answeredAfter: 3);

        await AssertSameAsWholeDayAsync(conn, counts, t.AddMinutes(2));
        await AssertSameAsWholeDayAsync(conn, counts, t.AddMinutes(3));
    }

    [Fact]
    public async Task ACallWrittenIntoThePastOutsideTheServiceShowsAfterTheNextRecount()
    {
        var t = Noon(4);
        var counts = new TodayCounts(Microsoft.Extensions.Options.Options.Create(ServiceLevel));
        await using var conn = await OpenAsync();
        await InsertAsync(conn, t.AddMinutes(-30), "2480", "completed", answeredAfter: 4);
        await AssertSameAsWholeDayAsync(conn, counts, t);

        // A repair in the database adds a call an hour back, behind what is remembered.
        await InsertAsync(conn, t.AddHours(-1), "2480", "completed", answeredAfter: 4);
        var before = await counts.ReadAsync(conn, t.AddMinutes(1), DayStart(t), CancellationToken.None);
        Assert.Equal(1, before.Sum(m => m.Calls));

        await AssertSameAsWholeDayAsync(conn, counts, t + TodayCounts.RecountEvery);
    }

    [Fact]
    public async Task AtMidnightTheCountsStartAgain()
    {
        var t = Noon(5);
        var counts = new TodayCounts(Microsoft.Extensions.Options.Options.Create(ServiceLevel));
        await using var conn = await OpenAsync();
        await InsertAsync(conn, t.AddMinutes(-30), "2480", "completed", answeredAfter: 4);
        await AssertSameAsWholeDayAsync(conn, counts, t);

        var nextDay = DayStart(t).AddDays(1).AddMinutes(5);
        await InsertAsync(conn, nextDay.AddMinutes(-1), "2403", "completed", answeredAfter: 4);

        var after = await counts.ReadAsync(conn, nextDay, DayStart(nextDay), CancellationToken.None);
        Assert.Equal([new TodayInMunicipality("2403", 1, 1, 1, 0)], after);
    }

    [Fact]
    public async Task AbandonedAndShortAbandonedTodayAreTheStatisticsFiguresForTheSameCalls()
    {
        var t = Noon(1); // before the other tests' days: a read counts every call queued since the day started
        var history = new Statistics.CallHistory(app);
        var waits = new[] { 2.0, 5.0, 5.9, 6.0, 30.0 };
        for (var i = 0; i < waits.Length; i++)
        {
            await history.AddAsync(new Statistics.PastCall("2460", t.AddMinutes(-60 + i), TimeSpan.FromSeconds(waits[i]), null, "abandoned"));
        }

        await using var conn = await OpenAsync();
        var counts = new TodayCounts(Microsoft.Extensions.Options.Options.Create(ServiceLevel));
        var live = (await counts.ReadAsync(conn, t, DayStart(t), CancellationToken.None)).Single(m => m.MunicipalityCode == "2460");
        await Switchboard.Statistics.RollupFlush.FlushAsync(conn, CancellationToken.None);
        var day = new DateOnly(2031, 3, 1);
        var statistics = (await Switchboard.Statistics.SummaryQueries.CountsAsync(conn, new Switchboard.Statistics.StatisticsPeriod(day, day),
            Switchboard.Statistics.Dimensions.Municipality, null, ServiceLevel, CancellationToken.None)).Single(r => r.Key == "2460");

        // 2, 5 and 5.9 s are short abandons: at most 5 s in whole seconds, truncated.
        Assert.Equal((5, 3), (live.Abandoned, live.ShortAbandoned));
        Assert.Equal((statistics.Abandoned, statistics.ShortAbandoned), (live.Abandoned, live.ShortAbandoned));
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private static DateTimeOffset DayStart(DateTimeOffset now) => LiveView.StartOfDay(now, Options.TimeZone);

    private static async Task AssertSameAsWholeDayAsync(NpgsqlConnection conn, TodayCounts counts, DateTimeOffset now)
    {
        const string WholeDay = """
            select coalesce(municipality_code, 'unknown') as municipality_code, count(*)::int as calls,
                   count(*) filter (where answered_at is not null)::int as answered,
                   count(*) filter (where answered_at is not null and floor(extract(epoch from answered_at - queued_at)) <= @target)::int as within_target,
                   count(*) filter (where state = 'abandoned')::int as abandoned,
                   count(*) filter (where state = 'abandoned'
                                      and floor(extract(epoch from coalesce(completed_at, caller_left_at) - queued_at)) <= @shortAbandon)::int as short_abandoned
            from calls where queued_at >= @dayStart and queued_at < @dayEnd
            group by 1 order by 1
            """;
        var dayStart = DayStart(now);
        var expected = (await conn.QueryAsync<TodayInMunicipality>(WholeDay, new
        {
            dayStart, dayEnd = dayStart.AddDays(1), target = ServiceLevel.TargetSeconds, shortAbandon = ServiceLevel.ShortAbandonSeconds,
        })).ToList();

        var read = await counts.ReadAsync(conn, now, dayStart, CancellationToken.None);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, read);
    }

    private static async Task<Guid> InsertAsync(
        NpgsqlConnection conn, DateTimeOffset queuedAt, string? municipality, string state, int? answeredAfter = null, int? leftAfter = null)
    {
        var id = Guid.NewGuid();
        await conn.ExecuteAsync("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at,
                               answered_at, caller_left_at, completed_at, outcome)
            values (@id, @platformId, '+46701234567', '+4690161000', @municipality, @state, @queuedAt,
                    @answeredAt, @leftAt, @completedAt, @outcome)
            """, new
        {
            id, platformId = "today-" + id, municipality, state, queuedAt,
            answeredAt = answeredAfter is { } a ? queuedAt.AddSeconds(a) : (DateTimeOffset?)null,
            leftAt = leftAfter is { } l ? queuedAt.AddSeconds(l) : (DateTimeOffset?)null,
            completedAt = state == "completed" ? queuedAt.AddMinutes(2) : (DateTimeOffset?)null,
            outcome = state switch { "completed" => "answered", "abandoned" => "abandoned", _ => null },
        });
        return id;
    }
}
