using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>Every metric against a day computed by hand (docs/metrics.md has the definitions).</summary>
public sealed class SummaryTests(StatisticsApp app) : IClassFixture<StatisticsApp>
{
    private readonly CallHistory _history = new(app);

    private async Task<Summary> SummaryAsync(string query, string role = "manager", string? municipality = null)
    {
        var client = await app.ClientForAsync(role, municipality);
        var response = await client.GetAsync("/api/statistics/summary?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Summary>())!;
    }

    /// <summary>A Tuesday in Robertsfors: seven calls whose figures are worked out in the comments.</summary>
    private async Task<Guid> HandComputedDayAsync(int day)
    {
        var op = await _history.OperatorAsync();
        const string M = "2409";
        // Answered waits 10, 20, 21, 40, 0 s; handled 120, 60, 30, 90, 100 s.
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 9, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(120), "answered", op, Topic: "bygglov"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 9, 10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60), "transferred", op, Topic: "bygglov", UnitId: "u-bygg", UnitName: "Bygglov"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 9, 20), TimeSpan.FromSeconds(21.9), TimeSpan.FromSeconds(30), "callback", op, UnitId: "u-skola", UnitName: "Skolan"));
        // Abandoned after exactly the short-abandon limit (short), and one second later (not short).
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 9, 30), TimeSpan.FromSeconds(5), null, "abandoned"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 9, 40), TimeSpan.FromSeconds(6), null, "abandoned"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 10, 0), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(90), "message", op, UnitId: "u-skola", UnitName: "Skolan"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, day, 10, 5), TimeSpan.Zero, TimeSpan.FromSeconds(100), "fault_report", op));
        return op;
    }

    [Fact]
    public async Task EveryMetricMatchesTheHandComputedDay()
    {
        await HandComputedDayAsync(10);

        var s = await SummaryAsync("from=2026-03-10&to=2026-03-10&municipality=2409");
        var t = s.Total;

        Assert.Equal(7, t.Offered);
        Assert.Equal(5, t.Answered);
        Assert.Equal(2, t.Abandoned);
        Assert.Equal(1, t.ShortAbandoned);
        Assert.Equal(3, t.AnsweredWithinTarget);           // 0, 10 and exactly 20 s; 21.9 s is 21 whole seconds
        Assert.Equal(0.5, t.ServiceLevel);                 // 3 / (5 + 2 - 1)
        Assert.Equal(0.7143, t.AnswerRate);                // 5 / 7
        Assert.Equal(18.2, t.AverageSpeedOfAnswerSeconds); // (10 + 20 + 21 + 40 + 0) / 5
        Assert.Equal(40, t.SpeedOfAnswerP90Seconds);       // nearest rank ceil(0.9 × 5) = 5th of 0, 10, 20, 21, 40
        Assert.Equal(80, t.AverageHandleSeconds);          // (120 + 60 + 30 + 90 + 100) / 5
        Assert.Equal(1, t.AnsweredBySwitchboard);
        Assert.Equal(1, t.Transferred);
        Assert.Equal(1, t.CallbacksBooked);
        Assert.Equal(1, t.Messages);
        Assert.Equal(1, t.FaultReports);
        Assert.Equal(0, t.BounceBacks);
        Assert.Equal(0, t.ClosedDestinations);
        Assert.Empty(s.NotCaptured);
        Assert.Equal(new DateOnly(2026, 3, 9), s.PreviousFrom);
        Assert.Equal(0, s.PreviousTotal.Offered);
    }

    [Fact]
    public async Task WrapUpCategoriesAreASliceFromTheRollupsAndAgreeWithTheFacts()
    {
        // 2026-03-24 in Vindeln: two "Fråga" (waits 10 and 30 s), one "Koppling" (5 s), one abandoned (no category).
        var op = await _history.OperatorAsync();
        const string M = "2404";
        await _history.AddAsync(new PastCall(M, Local(2026, 3, 24, 9, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "answered", op, Category: "Fråga", UnitId: "u1", UnitName: "Enhet 1"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, 24, 9, 5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(120), "answered", op, Category: "Fråga"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, 24, 9, 9), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), "transferred", op, Category: "Koppling", UnitId: "u1", UnitName: "Enhet 1"));
        await _history.AddAsync(new PastCall(M, Local(2026, 3, 24, 9, 20), TimeSpan.FromSeconds(12), null, "abandoned"));
        const string Range = "from=2026-03-24&to=2026-03-24&municipality=2404";

        var summary = await SummaryAsync(Range + "&by=wrapUpCategory");

        Assert.Equal("wrapUpCategory", summary.By);
        var rows = summary.Rows.ToDictionary(r => r.Key);
        Assert.Equal(["", "Fråga", "Koppling"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2, 2, 1.0 / 2, 20.0), (rows["Fråga"].Metrics.Offered, rows["Fråga"].Metrics.Answered, rows["Fråga"].Metrics.ServiceLevel, rows["Fråga"].Metrics.AverageSpeedOfAnswerSeconds));
        Assert.Equal(1, rows["Koppling"].Metrics.Transferred);
        Assert.Equal(("(no category)", 1), (rows[""].Label, rows[""].Metrics.Abandoned));
        Assert.Equal("wrapUpCategory", (await SummaryAsync(Range + "&by=WRAPUPCATEGORY")).By);

        // The rollup answers exactly what the facts answer, alone, with a municipality or a month, and two slices at once.
        var period = new StatisticsPeriod(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31));
        await using var conn = await app.Service<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        await RollupFlush.FlushAsync(conn, default);
        foreach (var by in new[] { "wrapUpCategory", "municipality,wrapUpCategory", "wrapUpCategory,month", "unit,wrapUpCategory" })
        {
            var fromRollup = await SummaryQueries.CountsAsync(conn, period, by, null, new Umearegionen.Switchboard.Platform.ServiceLevelOptions(), default);
            var fromFacts = await SummaryQueries.CountsAsync(conn, period, by, null, new Umearegionen.Switchboard.Platform.ServiceLevelOptions(), default, forceFacts: true);
            Assert.NotEmpty(fromRollup);
            Assert.Equal(fromFacts, fromRollup);
        }

        var csv = await (await app.ClientForAsync("manager")).GetStringAsync("/api/statistics/summary?" + Range + "&by=wrapUpCategory&format=csv");
        Assert.Contains("\r\nFråga;Fråga;2;2;", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlicesByUnitTopicHourAndWeekdayAddUpToTheDay()
    {
        await HandComputedDayAsync(17);
        const string Range = "from=2026-03-17&to=2026-03-17&municipality=2409";

        var units = (await SummaryAsync(Range + "&by=unit")).Rows.ToDictionary(r => r.Key);
        Assert.Equal("Bygglov", units["u-bygg"].Label);
        Assert.Equal(1, units["u-bygg"].Metrics.Transferred);
        Assert.Equal(2, units["u-skola"].Metrics.Offered); // the callback and the message
        Assert.Equal(4, units[""].Metrics.Offered);

        var topics = (await SummaryAsync(Range + "&by=topic")).Rows.ToDictionary(r => r.Key);
        Assert.Equal(2, topics["bygglov"].Metrics.Offered);
        Assert.Equal(1.0, topics["bygglov"].Metrics.ServiceLevel);

        var hours = (await SummaryAsync(Range + "&by=hour")).Rows.ToDictionary(r => r.Key);
        Assert.Equal(5, hours["09"].Metrics.Offered);
        Assert.Equal(2, hours["10"].Metrics.Offered);

        var weekdays = (await SummaryAsync(Range + "&by=weekday")).Rows;
        Assert.Equal("2", Assert.Single(weekdays).Key);
        Assert.Equal("Tuesday", weekdays[0].Label);
    }

    [Fact]
    public async Task OperatorRowsShowHandleTimeWithWrapUpAndOccupancy()
    {
        // Wednesday 2026-01-13, Nordmaling: one operator staffed 09:00–10:00, one call answered 09:10:00 and
        // completed after 200 s, then 40 s in wrap-up; a pause 09:30–09:40 is not staffed time.
        var op = await _history.OperatorAsync();
        await _history.ExecuteAsync("""
            insert into operators (account_id, team, status, idle_since, status_changed_at, last_seen_at)
            values (@op, 'main', 'available', @at, @at, @at)
            """, new { op, at = Local(2026, 1, 13, 9, 0) });
        await _history.AddAsync(new PastCall("2401", Local(2026, 1, 13, 9, 9, 50), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(200), "answered", op));
        async Task Status(string status, DateTimeOffset at) => await _history.ExecuteAsync(
            "update operators set status = @status, paused_reason = 'x', status_changed_at = @at where account_id = @op", new { op, status, at });
        await Status("wrap_up", Local(2026, 1, 13, 9, 13, 20));
        await Status("available", Local(2026, 1, 13, 9, 14, 0));
        await Status("paused", Local(2026, 1, 13, 9, 30));
        await Status("available", Local(2026, 1, 13, 9, 40));
        await Status("offline", Local(2026, 1, 13, 10, 0));

        var s = await SummaryAsync("from=2026-01-13&to=2026-01-13&by=operator");

        var row = Assert.Single(s.Rows);
        Assert.Equal(op.ToString(), row.Key);
        Assert.Equal(240, row.Metrics.AverageHandleSeconds);  // 200 s + 40 s wrap-up
        Assert.Equal(0.08, row.Metrics.Occupancy);            // 240 / (3600 − 600)
        Assert.Equal(0.08, s.Total.Occupancy);
    }

    [Fact]
    public async Task ACallIsCountedOnTheLocalDayAndHourItWasOfferedAcrossMidnightAndTheDstChange()
    {
        // 2026-10-25 the clocks go back from 03:00 CEST to 02:00 CET in Vännäs.
        await _history.AddAsync(new PastCall("2460", Local(2026, 10, 24, 23, 59, 50), TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(60), "answered"));
        var firstHalfPast2 = new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero);   // 02:30 CEST
        var secondHalfPast2 = new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero);  // 02:30 CET
        await _history.AddAsync(new PastCall("2460", firstHalfPast2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), "answered"));
        await _history.AddAsync(new PastCall("2460", secondHalfPast2, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), "answered"));
        // Queued 02:59 CEST, answered 02:01 CET: two minutes' wait, not a negative one.
        await _history.AddAsync(new PastCall("2460", new DateTimeOffset(2026, 10, 25, 0, 59, 0, TimeSpan.Zero), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(10), "answered"));

        var days = (await SummaryAsync("from=2026-10-24&to=2026-10-25&by=day&municipality=2460")).Rows.ToDictionary(r => r.Key);
        Assert.Equal(1, days["2026-10-24"].Metrics.Offered);
        Assert.Equal(25, days["2026-10-24"].Metrics.AverageSpeedOfAnswerSeconds);
        Assert.Equal(3, days["2026-10-25"].Metrics.Offered);
        Assert.Equal(120, days["2026-10-25"].Metrics.SpeedOfAnswerP90Seconds);

        var hours = (await SummaryAsync("from=2026-10-25&to=2026-10-25&by=hour&municipality=2460")).Rows;
        var two = Assert.Single(hours);
        Assert.Equal("02", two.Key);
        Assert.Equal(3, two.Metrics.Offered);
    }

    [Fact]
    public async Task APeriodWithoutCallsHasZeroCountsAndNoRatios()
    {
        var s = await SummaryAsync("from=2019-02-01&to=2019-02-28&by=municipality");

        Assert.Equal(0, s.Total.Offered);
        Assert.Null(s.Total.ServiceLevel);
        Assert.Null(s.Total.AverageSpeedOfAnswerSeconds);
        Assert.Null(s.Total.SpeedOfAnswerP90Seconds);
        Assert.Null(s.Total.AverageHandleSeconds);
        Assert.Empty(s.Rows);
        Assert.Equal(new DateOnly(2019, 1, 1), s.PreviousFrom); // a whole month compares with the month before
        Assert.Equal(new DateOnly(2019, 1, 31), s.PreviousTo);
    }

    [Fact]
    public async Task ACallAgainExactlyAtTheWindowLimitIsABounceBackAndOneSecondLaterIsNot()
    {
        var day = Local(2026, 5, 6, 13, 0);
        // Transferred at 13:01:10 (10 s wait, 60 s handling); the same caller calls again 600 s later.
        await _history.AddAsync(new PastCall("2404", day, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: "+46705550001", UnitId: "u1", UnitName: "Socialtjänsten"));
        await _history.AddAsync(new PastCall("2404", day.AddSeconds(70 + 600), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), "answered", Caller: "+46705550001"));
        // Another caller comes back 601 s after the transfer: not a bounce-back.
        await _history.AddAsync(new PastCall("2404", day.AddHours(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: "+46705550002", UnitId: "u1", UnitName: "Socialtjänsten"));
        await _history.AddAsync(new PastCall("2404", day.AddHours(1).AddSeconds(70 + 601), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), "answered", Caller: "+46705550002"));

        var s = await SummaryAsync("from=2026-05-06&to=2026-05-06&municipality=2404");

        Assert.Equal(2, s.Total.Transferred);
        Assert.Equal(1, s.Total.BounceBacks);
        Assert.Equal(0.5, s.Total.BounceBackRate);
    }

    [Fact]
    public async Task TwoWithheldNumbersAreNotOneCallerCallingAgainButTheSameRealNumberIs()
    {
        var day = Local(2026, 7, 15, 10, 0);
        // Two anonymous calls (a withheld number, stored as the literal "anonymous"), the second 60 s after the
        // first was transferred; then a real number doing the same (docs/metrics.md, "Bounce-backs"; decision 0022).
        var anonymousTransfer = await _history.AddAsync(new PastCall("2460", day, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: CallerNumbers.Anonymous, UnitId: "u1", UnitName: "Socialtjänsten"));
        await _history.AddAsync(new PastCall("2460", day.AddSeconds(70 + 60), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), "answered", Caller: CallerNumbers.Anonymous));
        var realTransfer = await _history.AddAsync(new PastCall("2460", day.AddHours(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: "+46705550077", UnitId: "u1", UnitName: "Socialtjänsten"));
        await _history.AddAsync(new PastCall("2460", day.AddHours(1).AddSeconds(70 + 60), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), "answered", Caller: "+46705550077"));

        var s = await SummaryAsync("from=2026-07-15&to=2026-07-15&municipality=2460");

        Assert.Equal(2, s.Total.Transferred);
        Assert.Equal(1, s.Total.BounceBacks);

        // The repair (statistics_backfill_facts) marks the same: it makes the facts still missing and
        // finds the bounce-backs again once the marks are taken off.
        const string Marks = "select f.bounced_back from unnest(@ids::uuid[]) with ordinality i(id, n) left join call_facts f on f.call_id = i.id order by i.n";
        var ids = new[] { anonymousTransfer, realTransfer };
        await _history.ScalarAsync<long>("select statistics_backfill_facts()");
        await _history.ExecuteAsync("update call_facts set bounced_back = false where call_id = any(@ids)", new { ids });
        await _history.ScalarAsync<long>("select statistics_backfill_facts()");
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        Assert.Equal([false, true], (await conn.QueryAsync<bool?>(Marks, new { ids })).ToList());
    }

    [Fact]
    public async Task EachRowIsComparedWithTheSameRowOfThePreviousPeriod()
    {
        await _history.AddAsync(new PastCall("2403", Local(2026, 6, 1, 10, 0), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered"));
        await _history.AddAsync(new PastCall("2403", Local(2026, 6, 8, 10, 0), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered"));
        await _history.AddAsync(new PastCall("2403", Local(2026, 6, 8, 11, 0), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered"));

        var s = await SummaryAsync("from=2026-06-08&to=2026-06-14&by=municipality&municipality=2403");

        Assert.Equal(new DateOnly(2026, 6, 1), s.PreviousFrom);
        var row = Assert.Single(s.Rows);
        Assert.Equal("Bjurholm", row.Label);
        Assert.Equal(2, row.Metrics.Offered);
        Assert.Equal(1, row.Previous!.Offered);
        Assert.Equal(1, s.PreviousTotal.Offered);
    }

    [Fact]
    public async Task TwoSlicesTogetherGiveARowPerMunicipalityAndMonth()
    {
        await _history.AddAsync(new PastCall("2403", Local(2023, 1, 31, 23, 30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered"));
        await _history.AddAsync(new PastCall("2403", Local(2023, 2, 1, 0, 30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered"));
        await _history.AddAsync(new PastCall("2480", Local(2023, 2, 2, 9, 0), TimeSpan.FromSeconds(5), null, "abandoned"));

        var rows = (await SummaryAsync("from=2023-01-01&to=2023-02-28&by=municipality,month")).Rows.ToDictionary(r => r.Key);

        Assert.Equal(3, rows.Count);
        Assert.Equal(1, rows["2403|2023-01"].Metrics.Offered);
        Assert.Equal("Bjurholm · 2023-01", rows["2403|2023-01"].Label);
        Assert.Equal(1, rows["2403|2023-02"].Metrics.Offered);
        Assert.Equal(1, rows["2480|2023-02"].Metrics.ShortAbandoned);
    }
}
