using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>Calls to closed destinations, and the slice rollups against the per-call facts (docs/metrics.md).</summary>
public sealed class ClosedDestinationTests(StatisticsApp app) : IClassFixture<StatisticsApp>
{
    private readonly CallHistory _history = new(app);

    private async Task<Summary> SummaryAsync(string query)
    {
        var client = await app.ClientForAsync("manager");
        var response = await client.GetAsync("/api/statistics/summary?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Summary>())!;
    }

    [Fact]
    public async Task ACallRefusedTwiceThenTransferredElsewhereCountsOnceAndUnderEachClosedUnitItTried()
    {
        // Wednesday 2026-02-11 in Nordmaling, four calls:
        //  A 09:00 bygglov: refused twice by u-closed, then transferred to u-open  → closed once
        //  B 09:30 bygglov: refused by u-closed and by u-late, then a message to u-late → closed once
        //  C 10:00 skola: answered, no refusal                                         → not closed
        //  D 10:10: abandoned                                                          → not closed
        const string M = "2401";
        await _history.AddAsync(new PastCall(M, Local(2026, 2, 11, 9, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred",
            Topic: "bygglov", UnitId: "u-open", UnitName: "Öppen", ClosedUnits: ["u-closed", "u-closed"]));
        await _history.AddAsync(new PastCall(M, Local(2026, 2, 11, 9, 30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "message",
            Topic: "bygglov", UnitId: "u-late", UnitName: "Sen", ClosedUnits: ["u-closed", "u-late"]));
        await _history.AddAsync(new PastCall(M, Local(2026, 2, 11, 10, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "answered", Topic: "skola"));
        await _history.AddAsync(new PastCall(M, Local(2026, 2, 11, 10, 10), TimeSpan.FromSeconds(30), null, "abandoned"));
        const string Day = "from=2026-02-11&to=2026-02-11&municipality=2401";

        var total = (await SummaryAsync(Day)).Total;
        Assert.Equal(4, total.Offered);
        Assert.Equal(2, total.ClosedDestinations);

        // By unit the refusal counts under the closed unit (once per call), the call itself where it went.
        var units = (await SummaryAsync(Day + "&by=unit")).Rows.ToDictionary(r => r.Key);
        Assert.Equal((0, 2), (units["u-closed"].Metrics.Offered, units["u-closed"].Metrics.ClosedDestinations));
        Assert.Equal((1, 1, 0), (units["u-open"].Metrics.Offered, units["u-open"].Metrics.Transferred, units["u-open"].Metrics.ClosedDestinations));
        Assert.Equal((1, 1, 1), (units["u-late"].Metrics.Offered, units["u-late"].Metrics.Messages, units["u-late"].Metrics.ClosedDestinations));
        Assert.Equal((2, 0), (units[""].Metrics.Offered, units[""].Metrics.ClosedDestinations));
        Assert.Equal("Sen", units["u-late"].Label);

        // Other slices count the call once under its own key.
        var topics = (await SummaryAsync(Day + "&by=topic")).Rows.ToDictionary(r => r.Key);
        Assert.Equal(2, topics["bygglov"].Metrics.ClosedDestinations);
        Assert.Equal(0, topics["skola"].Metrics.ClosedDestinations);
        var hours = (await SummaryAsync(Day + "&by=hour")).Rows.ToDictionary(r => r.Key);
        Assert.Equal((2, 2), (hours["09"].Metrics.Offered, hours["09"].Metrics.ClosedDestinations));
        Assert.Equal(0, hours["10"].Metrics.ClosedDestinations);
        var operators = (await SummaryAsync(Day + "&by=operator")).Rows;
        Assert.Equal(2, operators.Sum(r => r.Metrics.ClosedDestinations));
        var weekday = Assert.Single((await SummaryAsync(Day + "&by=weekday")).Rows);
        Assert.Equal(("3", 2), (weekday.Key, weekday.Metrics.ClosedDestinations));
        var previous = await SummaryAsync("from=2026-02-12&to=2026-02-12&municipality=2401&by=unit");
        Assert.Equal(2, previous.PreviousTotal.ClosedDestinations);
    }

    [Fact]
    public async Task ACallWithoutARefusalCountsNoClosedDestination()
    {
        await _history.AddAsync(new PastCall("2404", Local(2026, 2, 18, 11, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred",
            UnitId: "u-open", UnitName: "Öppen"));

        var s = await SummaryAsync("from=2026-02-18&to=2026-02-18&municipality=2404&by=unit");

        Assert.Equal(0, s.Total.ClosedDestinations);
        Assert.Equal(0, Assert.Single(s.Rows).Metrics.ClosedDestinations);
    }

    [Fact]
    public async Task ARefusalRecordedAfterTheCallEndedStillCounts()
    {
        var id = await _history.AddAsync(new PastCall("2409", Local(2026, 2, 19, 11, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "answered"));
        await _history.ExecuteAsync("""
            insert into call_events (call_id, type, occurred_at, data)
            values (@id, 'destination_closed', now(), jsonb_build_object('unitId', 'u-x', 'attempt', 'transfer'))
            """, new { id });

        var s = await SummaryAsync("from=2026-02-19&to=2026-02-19&municipality=2409&by=unit");

        Assert.Equal(1, s.Total.ClosedDestinations);
        Assert.Equal(1, s.Rows.Single(r => r.Key == "u-x").Metrics.ClosedDestinations);
    }

    [Fact]
    public async Task TheCsvHasAColumnForClosedDestinations()
    {
        await _history.AddAsync(new PastCall("2460", Local(2026, 2, 24, 11, 0), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "answered",
            ClosedUnits: ["u-closed"]));
        var manager = await app.ClientForAsync("manager");

        var bytes = await manager.GetByteArrayAsync("/api/statistics/summary?from=2026-02-24&to=2026-02-24&municipality=2460&by=municipality&format=csv");

        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        var column = Array.IndexOf(lines[0].Split(';'), "Samtal till stängda mål");
        Assert.True(column > 0);
        Assert.Equal("1", lines[1].Split(';')[column]);
    }

    [Fact]
    public async Task EverySliceRollupEqualsARecomputationFromTheFactsAndEverySliceReadsTheSameFromBoth()
    {
        // 2023-12-20 … 2024-02-10: whole January plus days either side, three operators, four municipalities
        // (one call with an unknown dialled number), topics, units, closed units, every outcome.
        var operators = new[] { await _history.OperatorAsync(), await _history.OperatorAsync(), await _history.OperatorAsync() };
        var outcomes = new[] { "answered", "transferred", "callback", "message", "fault_report", "abandoned", "transferred" };
        var start = Local(2023, 12, 20, 7, 15);
        for (var i = 0; i < 91; i++)
        {
            var outcome = outcomes[i % outcomes.Length];
            var municipality = new[] { "2480", "2403", "2460", "2404" }[i % 4];
            var closed = i % 5 == 0 ? new[] { "c" + (i % 3) } : i % 11 == 0 ? ["c1", "c2"] : null;
            await _history.AddAsync(new PastCall(municipality, start.AddHours(i * 14 + i % 9), TimeSpan.FromSeconds(i * 13 % 97),
                outcome == "abandoned" ? null : TimeSpan.FromSeconds(30 + i), outcome, operators[i % 3], Caller: "+4670222000" + (i % 5),
                Topic: i % 3 == 0 ? null : "t" + (i % 4), UnitId: "u" + (i % 4), UnitName: "Enhet " + (i % 4), ClosedUnits: closed));
        }

        // Ended calls reach the rollups through statistics_flush (Scripts/Functions/statistics_flush.sql): flush, so the follow-ups
        // below change facts already counted, then flush again before comparing.
        await _history.ExecuteAsync("select statistics_flush(1000000)");
        await _history.ExecuteAsync("""
            insert into callback_follow_ups (callback_id, result, recorded_by, recorded_at)
            select id, case when booked_at < '2024-01-15' then 'kept' else 'missed' end, 'test', now() from callbacks b
            where not exists (select 1 from callback_follow_ups f where f.callback_id = b.id)
            """);

        await _history.ExecuteAsync("select statistics_flush(1000000)");

        Assert.Equal(0L, await _history.ScalarAsync<long>("""
            select (select count(*) from ((select * from call_daily except select * from call_daily_recomputed)
                      union all (select * from call_daily_recomputed except select * from call_daily)) d)
                 + (select count(*) from ((select * from call_slices where offered <> 0 or closed_destinations <> 0 except select * from call_slices_recomputed)
                      union all (select * from call_slices_recomputed except select * from call_slices)) s)
                 + (select count(*) from ((select * from call_slice_waits where calls <> 0 except select * from call_slice_waits_recomputed)
                      union all (select * from call_slice_waits_recomputed except select * from call_slice_waits where calls <> 0)) w)
                 + (select count(*) from ((select * from call_slice_waits_monthly where calls <> 0 except select * from call_slice_waits_monthly_recomputed)
                      union all (select * from call_slice_waits_monthly_recomputed except select * from call_slice_waits_monthly where calls <> 0)) m)
            """));
        Assert.True(await _history.ScalarAsync<long>("select sum(closed_destinations) from call_slices where dimension = 'unit'") > 0);

        var options = new StatisticsOptions();
        await using var conn = await app.Service<NpgsqlDataSource>().OpenConnectionAsync();
        var slices = new[]
        {
            Dimensions.None, Dimensions.Municipality, Dimensions.Unit, Dimensions.Topic, Dimensions.Operator, Dimensions.Hour,
            Dimensions.Weekday, Dimensions.Day, Dimensions.Month, "unit,month", "municipality,unit", "topic,weekday", "hour,day",
            "operator,month", "municipality,hour",
        };
        var periods = new[]
        {
            new StatisticsPeriod(new DateOnly(2023, 12, 27), new DateOnly(2024, 2, 6)),  // whole January and days either side
            new StatisticsPeriod(new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 31)),   // exactly one month
            new StatisticsPeriod(new DateOnly(2024, 1, 10), new DateOnly(2024, 1, 20)),  // days only
        };
        foreach (var period in periods)
        {
            foreach (var municipality in new[] { null, "2480" })
            {
                foreach (var by in slices)
                {
                    var rollup = await SummaryQueries.CountsAsync(conn, period, by, municipality, new Umearegionen.Switchboard.Platform.ServiceLevelOptions(), default);
                    var facts = await SummaryQueries.CountsAsync(conn, period, by, municipality, new Umearegionen.Switchboard.Platform.ServiceLevelOptions(), default, forceFacts: true);
                    Assert.NotEmpty(rollup);
                    Assert.True(facts.SequenceEqual(rollup), $"{by} {municipality} {period}: the rollup and the facts differ");
                }
            }
        }
    }
}
