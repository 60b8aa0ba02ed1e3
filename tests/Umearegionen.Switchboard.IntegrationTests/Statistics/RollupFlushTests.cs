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

    [Fact]
    public async Task TheFlushAddsTheFactsItMakesAtOnceWithoutQueueingThemAndAFactMadeBeforeItOnlyOnce()
    {
        // Three ended calls; the callback's follow-up makes its fact before the flush (outside it: a pending row),
        // and a roll-up adds that fact while the call is still due. The flush then makes the other two facts.
        var op = await _history.OperatorAsync();
        var queued = Local(2025, 5, 6, 10, 0);
        var booked = await _history.AddAsync(new PastCall("2403", queued, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30), "callback", op,
            UnitId: "u-p5", UnitName: "Enhet P5"));
        var answered = await _history.AddAsync(new PastCall("2403", queued.AddMinutes(1), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(20), "answered", op));
        var abandoned = await _history.AddAsync(new PastCall("2403", queued.AddMinutes(2), TimeSpan.FromSeconds(12), null, "abandoned"));
        await _history.ExecuteAsync("""
            insert into callback_follow_ups (callback_id, result, recorded_by, recorded_at)
            select id, 'kept', 'test', now() from callbacks where call_id = @booked
            """, new { booked });
        Assert.Equal(1L, await _history.ScalarAsync<long>("select count(*) from call_facts_pending where call_id = @booked", new { booked }));
        Assert.Equal(1, await _history.ScalarAsync<int>("select statistics_roll_up(5000)"));
        Assert.Equal(3L, await _history.ScalarAsync<long>("select count(*) from call_facts_due where call_id = any (@ids)",
            new { ids = new[] { booked, answered, abandoned } }));

        // A connection of its own (no pool): a backend counts what its earlier transactions did into the
        // pg_stat_xact views until it reports them.
        await using var conn = new Npgsql.NpgsqlConnection(
            new Npgsql.NpgsqlConnectionStringBuilder(app.DatabaseConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var taken = await Dapper.SqlMapper.ExecuteScalarAsync<int>(conn, "select statistics_flush(5000)", transaction: tx);
        var queuedRows = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn,
            "select n_tup_ins from pg_stat_xact_user_tables where relname = 'call_facts_pending'", transaction: tx);
        await tx.CommitAsync();

        Assert.Equal(3, taken);
        Assert.Equal(0L, queuedRows);
        Assert.Equal(0L, await _history.ScalarAsync<long>(NotYetRolledUp));
        Assert.Equal(3L, await _history.ScalarAsync<long>("select count(*) from call_facts where call_id = any (@ids)",
            new { ids = new[] { booked, answered, abandoned } }));
        await AssertRollupsEqualRecomputationAsync("after a flush that made facts without pending rows");
    }

    [Fact]
    public async Task AFlushAddsToANewRollupRowThatAnotherTransactionInsertedWhileItRan()
    {
        // statistics_add writes each key with an update, and inserts only a key with no row. Another transaction
        // (a change to a fact outside the flush) inserts the same new key first and has not committed: the
        // flush's insert waits for it, finds the row once it commits, and then adds to that row.
        var day = Local(2025, 6, 2, 9, 0);
        await _history.AddAsync(new PastCall("2460", day, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), "transferred",
            UnitId: "u-own", UnitName: "Egen enhet", ClosedUnits: ["u-closed-0033"]));

        await using var conn = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var other = await conn.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(conn, """
            insert into call_slices (dimension, local_date, municipality_code, key) values ('unit', '2025-06-02', '2460', 'u-closed-0033')
            """, transaction: other);
        var flush = _history.ScalarAsync<int>("select statistics_flush(5000)");
        await WaitUntilAsync(async () => await _history.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%statistics_flush(5000)%'") == 1);
        await other.CommitAsync();

        Assert.Equal(1, await flush);
        Assert.Equal(1, await _history.ScalarAsync<int>("""
            select closed_destinations from call_slices
            where dimension = 'unit' and key = 'u-closed-0033' and municipality_code = '2460' and local_date = '2025-06-02'
            """));
        await AssertRollupsEqualRecomputationAsync("after a flush added to a row another transaction inserted meanwhile");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(await condition(), "the flush never waited for the change's rows");
    }

    [Fact]
    public async Task AnEndedCallIsNotedDueOnceWhateverIsWrittenToItsStateAfterwards()
    {
        // calls_to_facts inserts into call_facts_due without "on conflict": its WHEN fires only when a call first
        // enters an ended state from one that is not, so writing an ended call's state again never inserts twice.
        var call = await _history.AddAsync(new PastCall("2401", Local(2025, 5, 7, 9, 0), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9), "answered"));
        Assert.Equal(1L, await _history.ScalarAsync<long>("select count(*) from call_facts_due where call_id = @call", new { call }));

        foreach (var state in new[] { "completed", "abandoned", "completed" })
        {
            await _history.ExecuteAsync("update calls set state = @state where id = @call", new { state, call });
        }

        Assert.Equal(1L, await _history.ScalarAsync<long>("select count(*) from call_facts_due where call_id = @call", new { call }));
        await _history.ScalarAsync<int>("select statistics_flush(5000)");
        await _history.ExecuteAsync("update calls set state = 'abandoned' where id = @call", new { call });
        await _history.ExecuteAsync("update calls set state = 'completed' where id = @call", new { call });
        Assert.Equal(0L, await _history.ScalarAsync<long>("select count(*) from call_facts_due where call_id = @call", new { call }));
        Assert.Equal(1L, await _history.ScalarAsync<long>("select count(*) from call_facts where call_id = @call", new { call }));
    }

    // The pair of slices kept as a rollup (Dimensions.RolledUpPairs), in its order and the other.
    private static readonly string[] Pairs = ["unit,topic", "topic,unit"];

    [Fact]
    public async Task TwoSlicesAtOnceFromTheRollupEqualThePerCallComputationAlsoAfterFactsChangeOutsideTheFlush()
    {
        // June 2025 in two municipalities: units, topics, categories, operators, closed units (one the call's own unit),
        // every outcome; callers in pairs four minutes apart so transfers bounce back.
        var operators = new[] { await _history.OperatorAsync(), await _history.OperatorAsync() };
        var outcomes = new[] { "answered", "transferred", "callback", "abandoned", "message", "transferred", "fault_report" };
        var start = Local(2025, 6, 2, 8, 0);
        for (var i = 0; i < 70; i++)
        {
            var outcome = outcomes[i % outcomes.Length];
            await _history.AddAsync(new PastCall(i % 3 == 0 ? "2409" : "2480", start.AddMinutes(i / 2 * 613 + i % 2 * 4),
                TimeSpan.FromSeconds(i % 4 * 9), outcome == "abandoned" ? null : TimeSpan.FromSeconds(30 + i % 5), outcome, operators[i % 2],
                Caller: "+4670444" + (i / 2).ToString("D4"), Topic: i % 4 == 0 ? null : "p" + (i % 3), UnitId: "pu" + (i % 3),
                UnitName: "Enhet " + (i % 3), ClosedUnits: i % 9 == 1 ? ["pu1"] : i % 11 == 3 ? ["pc1", "pc2"] : null,
                Category: i % 5 == 0 ? "Fråga" : "Koppling"));
        }

        await FlushAsync();
        await AssertPairsEqualTheFactsAsync("after the flush");

        // Changes to facts the flush has added, from outside it: callbacks followed up, a refusal by a closed unit
        // recorded after the call ended, a caller calling again after a transfer.
        var transferred = await _history.ScalarAsync<Guid>("""
            select call_id from call_facts where local_date between '2025-06-01' and '2025-06-30' and outcome = 'transferred'
            order by queued_at desc limit 1
            """);
        await _history.ExecuteAsync("""
            insert into callback_follow_ups (callback_id, result, recorded_by, recorded_at)
            select b.id, 'kept', 'test', now() from callbacks b join call_facts f on f.call_id = b.call_id
            where f.local_date between '2025-06-01' and '2025-06-30'
              and not exists (select 1 from callback_follow_ups u where u.callback_id = b.id)
            """);
        await _history.ExecuteAsync("""
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            values (@transferred, 'destination_closed', now(), 'test', jsonb_build_object('unitId', 'pc-late', 'unitName', 'Sent stängd'))
            """, new { transferred });
        var queuedAt = await _history.ScalarAsync<DateTimeOffset>("select completed_at from calls where id = @transferred", new { transferred });
        var caller = await _history.ScalarAsync<string>("select caller_number from calls where id = @transferred", new { transferred });
        await _history.AddAsync(new PastCall("2480", queuedAt.AddMinutes(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), "answered",
            operators[0], Caller: caller, Topic: "p1"));
        Assert.Equal("true pc-late", await _history.ScalarAsync<string>("""
            select bounced_back || ' ' || array_to_string(closed_unit_ids, ',') from call_facts where call_id = @transferred
            """, new { transferred }));
        await AssertPairsEqualTheFactsAsync("after changes to facts already added, before the next flush");

        await FlushAsync();
        await AssertPairsEqualTheFactsAsync("after the next flush");
        await AssertRollupsEqualRecomputationAsync("with the pairs of slices");
    }

    [Fact]
    public async Task TwoSlicesAtOnceReadTheSliceRollupNeverThePerCallFacts()
    {
        await _history.AddAsync(new PastCall("2480", Local(2025, 7, 1, 9, 0), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), "answered",
            Topic: "plan"));
        await FlushAsync();
        await using var conn = await OpenAsync();
        await conn.ExecuteAsync("analyze call_facts; analyze call_slices; analyze call_slice_waits; analyze call_slice_waits_monthly");

        foreach (var by in Pairs)
        {
            foreach (var period in new[] { new StatisticsPeriod(new(2025, 7, 1), new(2025, 7, 31)), new StatisticsPeriod(new(2025, 1, 1), new(2025, 12, 31)) })
            {
                var (sql, args) = SummaryQueries.Query(period, by, null, new Umearegionen.Switchboard.Platform.ServiceLevelOptions());
                var json = await conn.ExecuteScalarAsync<string>("explain (format json) " + sql, args);
                var relations = Relations(System.Text.Json.JsonDocument.Parse(json!).RootElement[0].GetProperty("Plan"));

                Assert.Contains("call_slices", relations);
                Assert.Contains("call_slice_waits", relations);
                Assert.DoesNotContain("call_facts", relations);
            }
        }

        static HashSet<string> Relations(System.Text.Json.JsonElement node)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (node.TryGetProperty("Relation Name", out var relation))
            {
                found.Add(relation.GetString()!);
            }

            if (node.TryGetProperty("Plans", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    found.UnionWith(Relations(child));
                }
            }

            return found;
        }
    }

    private async Task FlushAsync()
    {
        await using var conn = await OpenAsync();
        await RollupFlush.FlushAsync(conn, default);
    }

    private async Task<Npgsql.NpgsqlConnection> OpenAsync() => await app.Service<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();

    private async Task AssertPairsEqualTheFactsAsync(string when)
    {
        await using var conn = await OpenAsync();
        var periods = new[]
        {
            new StatisticsPeriod(new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 30)),  // exactly one month
            new StatisticsPeriod(new DateOnly(2025, 6, 10), new DateOnly(2025, 6, 20)), // days only
            new StatisticsPeriod(new DateOnly(2025, 5, 28), new DateOnly(2025, 7, 3)),  // a month and days either side
        };
        foreach (var period in periods)
        {
            foreach (var municipality in new[] { null, "2480" })
            {
                foreach (var by in Pairs)
                {
                    var levels = new Umearegionen.Switchboard.Platform.ServiceLevelOptions();
                    var rollup = await SummaryQueries.CountsAsync(conn, period, by, municipality, levels, default);
                    var facts = await SummaryQueries.CountsAsync(conn, period, by, municipality, levels, default, forceFacts: true);
                    Assert.NotEmpty(rollup);
                    Assert.True(facts.SequenceEqual(rollup), $"{when}: {by} {municipality} {period}: the rollup and the facts differ");
                }
            }
        }
    }

    private async Task AssertRollupsEqualRecomputationAsync(string when)
    {
        foreach (var (table, recomputed) in new[]
                 {
                     ("call_daily", "call_daily_recomputed"), ("call_slices", "call_slices_recomputed"),
                     ("call_daily_waits", "call_daily_waits_recomputed"), ("call_slice_waits", "call_slice_waits_recomputed"),
                     ("call_slice_waits_monthly", "call_slice_waits_monthly_recomputed"), ("operator_daily", "operator_daily_recomputed"),
                     ("call_answer_daily", "call_answer_daily_recomputed"),
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
