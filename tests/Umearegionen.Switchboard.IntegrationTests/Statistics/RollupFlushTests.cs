using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>The statistics app with the background flush as rare as allowed, so a test decides when facts are flushed.</summary>
public sealed class ManualFlushApp : StatisticsApp
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Statistics:FlushInterval"] = "00:10:00" };
}

public sealed class RollupFlushTests(ManualFlushApp app) : IClassFixture<ManualFlushApp>
{
    private readonly CallHistory _history = new(app);

    // Ended calls whose facts the flush has still to make, and facts it has still to roll up.
    private const string NotYetRolledUp = "select count(*) from (select call_id from call_facts_due union select call_id from call_facts_pending) n";

    [Fact]
    public async Task FlushingManyPendingFactsThatShareRollupRowsLeavesEveryRollupEqualToARecomputation()
    {
        // 2025-01-30 … 2025-02-03: two months, four municipalities, three operators, topics, units, closed units
        // (one the call's own unit), every outcome, waits in a few shared one-second buckets and two above the hour cap;
        // calls in pairs four minutes apart from the same caller, so transferred calls bounce back.
        var operators = new[] { await _history.OperatorAsync(), await _history.OperatorAsync(), await _history.OperatorAsync() };
        var outcomes = new[] { "answered", "abandoned", "transferred", "callback", "answered", "message", "fault_report", "abandoned" };
        var start = Local(2025, 1, 30, 8, 0);
        const int calls = 150;
        for (var i = 0; i < calls; i++)
        {
            var outcome = outcomes[i % outcomes.Length];
            var wait = i is 9 or 40 ? TimeSpan.FromSeconds(3700 + i) : TimeSpan.FromSeconds(i % 3 * 5);
            var closed = i % 6 == 2 ? new[] { "u" + (i % 3) } : i % 10 == 4 ? ["c1", "c2"] : null;
            await _history.AddAsync(new PastCall(new[] { "2480", "2403", "2460", "2401" }[i % 4], start.AddMinutes(i / 2 * 74 + i % 2 * 4), wait,
                outcome == "abandoned" ? null : TimeSpan.FromSeconds(40 + i % 7), outcome, operators[i % 3],
                Caller: "+4670333" + (i / 2).ToString("D4"), Topic: i % 3 == 0 ? null : "t" + (i % 2), UnitId: "u" + (i % 3),
                UnitName: "Enhet " + (i % 3), ClosedUnits: closed, Category: i % 5 == 0 ? "Fråga" : "Koppling"));
        }

        Assert.Equal((long)calls, await _history.ScalarAsync<long>(NotYetRolledUp));

        var taken = await _history.ScalarAsync<int>("select statistics_flush(5000)");

        Assert.Equal(calls, taken);
        Assert.Equal(0L, await _history.ScalarAsync<long>(NotYetRolledUp));
        Assert.True(await _history.ScalarAsync<int>("select max(calls) from call_daily_waits") > 1, "facts share wait buckets");
        Assert.True(await _history.ScalarAsync<int>("select max(calls) from call_slice_waits_monthly") > 1, "facts share monthly wait buckets");
        Assert.True(await _history.ScalarAsync<int>("select max(offered) from call_slices") > 1, "facts share slice rows");
        Assert.True(await _history.ScalarAsync<long>("select count(*) from call_facts where bounced_back") > 0);
        await AssertRollupsEqualRecomputationAsync("after one flush of every fact");

        // More facts on the same rows, added in small chunks to rows that exist, and changes to facts already
        // counted (callbacks followed up), which the trigger applies at once.
        for (var i = 0; i < 40; i++)
        {
            await _history.AddAsync(new PastCall(new[] { "2480", "2403" }[i % 2], start.AddMinutes(i * 71 + 3), TimeSpan.FromSeconds(i % 3 * 5),
                i % 5 == 0 ? null : TimeSpan.FromSeconds(60), i % 5 == 0 ? "abandoned" : i % 4 == 1 ? "callback" : "transferred",
                operators[i % 3], Topic: "t" + (i % 2), UnitId: "u" + (i % 3), UnitName: "Enhet " + (i % 3)));
        }

        await _history.ExecuteAsync("""
            insert into callback_follow_ups (callback_id, result, recorded_by, recorded_at)
            select id, case when booked_at < '2025-02-01' then 'kept' else 'missed' end, 'test', now() from callbacks b
            where not exists (select 1 from callback_follow_ups f where f.callback_id = b.id)
            """);
        var chunks = 0;
        while (await _history.ScalarAsync<int>("select statistics_flush(7)") > 0)
        {
            chunks++;
        }

        Assert.Equal(6, chunks); // 40 facts in chunks of 7
        await AssertRollupsEqualRecomputationAsync("after chunked flushes onto existing rows and changes to counted facts");
    }

    [Fact]
    public async Task ChangesThatArriveBeforeTheFlushHasMadeTheCallsFactStillReachIt()
    {
        // An ended call is only noted as due; its fact is made by the flush. Here, before any flush: the operator
        // leaves wrap-up 30 s after the call, a refusal by a closed unit is recorded after the call ended, and the
        // caller calls again, so the transfer bounced back.
        var op = await _history.OperatorAsync();
        var queued = Local(2025, 3, 4, 9, 0);
        var ended = queued + TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(50);
        await _history.ExecuteAsync("""
            insert into operators (account_id, team, status, idle_since, status_changed_at, last_seen_at)
            values (@op, 'main', 'wrap_up', @ended, @ended, @ended)
            """, new { op, ended });
        var caller = "+46701112233";
        var call = await _history.AddAsync(new PastCall("2480", queued, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(50), "transferred", op,
            Caller: caller, UnitId: "u-due", UnitName: "Enhet due"));
        Assert.Equal(0L, await _history.ScalarAsync<long>("select count(*) from call_facts where call_id = @call", new { call }));

        await _history.ExecuteAsync(
            "update operators set status = 'available', status_changed_at = @at where account_id = @op", new { op, at = ended.AddSeconds(30) });
        await _history.ExecuteAsync("""
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            values (@call, 'destination_closed', @at, 'test', jsonb_build_object('unitId', 'u-closed', 'unitName', 'Stängd'))
            """, new { call, at = ended.AddSeconds(1) });
        await _history.AddAsync(new PastCall("2480", ended.AddMinutes(3), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), "answered", op,
            Caller: caller));

        var fact = await _history.ScalarAsync<string>("""
            select wrap_up_seconds || ' ' || bounced_back || ' ' || array_to_string(closed_unit_ids, ',') from call_facts where call_id = @call
            """, new { call });
        Assert.Equal("30 true u-closed", fact);
        Assert.True(await _history.ScalarAsync<int>("select statistics_flush(5000)") >= 2);
        Assert.Equal(0L, await _history.ScalarAsync<long>(NotYetRolledUp));
        Assert.Equal("30 true u-closed", await _history.ScalarAsync<string>("""
            select wrap_up_seconds || ' ' || bounced_back || ' ' || array_to_string(closed_unit_ids, ',') from call_facts where call_id = @call
            """, new { call }));
        await AssertRollupsEqualRecomputationAsync("after the flush made the changed fact");
    }

    private async Task AssertRollupsEqualRecomputationAsync(string when)
    {
        foreach (var (table, recomputed) in new[]
                 {
                     ("call_daily", "call_daily_recomputed"), ("call_slices", "call_slices_recomputed"),
                     ("call_daily_waits", "call_daily_waits_recomputed"), ("call_slice_waits", "call_slice_waits_recomputed"),
                     ("call_slice_waits_monthly", "call_slice_waits_monthly_recomputed"), ("operator_daily", "operator_daily_recomputed"),
                 })
        {
            var differences = await _history.ScalarAsync<long>($"""
                select count(*) from ((select * from {table} except all select * from {recomputed})
                                      union all (select * from {recomputed} except all select * from {table})) d
                """);
            Assert.True(differences == 0, $"{when}: {table} differs from {recomputed} in {differences} rows");
            Assert.True(await _history.ScalarAsync<long>($"select count(*) from {table}") > 0, $"{when}: {table} is empty");
        }
    }
}
