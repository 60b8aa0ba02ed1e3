using Microsoft.Extensions.Logging.Abstractions;
using Umearegionen.Switchboard.Platform.Migrations;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The routing reads that run several times a second find the waiting and offered calls from call_queue
/// and the operators' rows, each call by its key, never by reading the whole of calls, which grows all day. Checked with
/// <c>explain</c> (plans, not timings) on a database of its own holding 20,000 finished calls and a few
/// queued and offered ones, freshly analysed: at that size a sequential scan would cost the planner
/// far more than any of these indexes, so the plan changes only if no index fits the query.
/// </summary>
public sealed class QueryPlanTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            select gen_random_uuid(), 'plan-op-' || g, 'Operator ' || g, 'x', 'operator', '2480', now()
            from generate_series(1, 20) g;

            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, priority, state,
                               queued_at, operator_id, answered_at, completed_at, outcome)
            select gen_random_uuid(), 'done-' || g, '+4670' || g, '+4690161000', '2480', g % 3, 'completed',
                   now() - interval '8 hours' + g * interval '1 s', a.id, now(), now(), 'answered'
            from generate_series(1, 20000) g, (select id from accounts where username = 'plan-op-1') a;

            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, priority, state, queued_at)
            select gen_random_uuid(), 'queued-' || g, '+4671' || g, '+4690161000', '2480', g % 3, 'queued', now() - g * interval '1 s'
            from generate_series(1, 40) g;

            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, priority, state, queued_at,
                               offered_to, offered_at, offer_expires_at)
            select gen_random_uuid(), 'offered-' || n, '+4672' || n, '+4690161000', '2480', n % 3, 'offered',
                   now() - n * interval '1.5 s', id, now() - interval '5 s', now() + (n - 5) * interval '1 s'
            from (select id, row_number() over (order by id) as n from accounts where username like 'plan-op-%' limit 10) o;

            -- Where routing keeps them: the waiting calls in call_queue, an offer on its operator's row.
            insert into call_queue (call_id, priority, queued_at) select id, priority, queued_at from calls where state = 'queued';
            insert into operators (account_id, team, status, idle_since, status_changed_at, last_seen_at)
            select id, 'main', 'available', now(), now(), now() from accounts where username like 'plan-op-%';
            update operators o set offered_call_id = c.id from calls c where c.state = 'offered' and c.offered_to = o.account_id;

            analyze;
            """);
    }

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task QueueSnapshotReadsQueuedAndOfferedCallsByTheirKeysFromTheQueueAndTheOperators()
    {
        var statements = LiveView.QueueSql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, statements.Length);

        foreach (var statement in statements)
        {
            var scans = ScansOfCalls(await ExplainAsync(statement, new { limit = LiveView.ListedCalls }));

            Assert.NotEmpty(scans);
            Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
            Assert.All(scans, s => Assert.Equal("calls_pkey", s.Index));
        }
    }

    [Fact]
    public async Task SweeperFindsExpiredOffersFromTheOperatorsRowsEachCallByItsKey()
    {
        var scans = ScansOfCalls(await ExplainAsync(Sweeper.ExpireSql, new { now = DateTimeOffset.UtcNow, reason = Sweeper.MissedOfferReason }));

        Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
        Assert.Contains(scans, s => s.Index == "calls_pkey");
    }

    [Fact]
    public async Task CallsOfACallerAreFoundThroughIndexesNeverByReadingAllCalls()
    {
        var scans = ScansOfCalls(await ExplainAsync(CallHistory.CallsOfCaller, new { number = "+46701234" }));

        Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
        Assert.Equal("calls_by_caller", Assert.Single(scans).Index);
    }

    [Fact]
    public async Task CallHistoryByNumberReadsTheCallersCallsNewestFirstThroughTheirIndex()
    {
        var scans = ScansOfCalls(await ExplainAsync(CallHistory.ListByNumberSql, new
        {
            from = (DateTimeOffset?)null, to = (DateTimeOffset?)null, platformCallId = (string?)null, number = "+46701234",
            beforeAt = (DateTimeOffset?)null, beforeId = (Guid?)null, limit = 50,
        }));

        Assert.Equal("calls_by_caller", Assert.Single(scans).Index);
    }

    [Fact]
    public async Task BounceBackLookUpAtIntakeReadsTheCallersCallsThroughTheirIndex()
    {
        // The look-up runs in the insert's trigger (Functions/calls_bounce_back.sql), so its scans are counted,
        // not explained: one scan of calls_by_caller and no sequential scan of calls. Rolled back.
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at)
            values (gen_random_uuid(), 'again-1', '+46701234', '+4690161000', '2480', 'queued', now())
            """, transaction: tx);
        var (byCaller, sequential) = await conn.QuerySingleAsync<(long, long)>(
            "select pg_stat_get_xact_numscans('calls_by_caller'::regclass), pg_stat_get_xact_numscans('calls'::regclass)", transaction: tx);
        await tx.RollbackAsync();

        Assert.Equal((1L, 0L), (byCaller, sequential));
    }

    [Fact]
    public async Task RecentContactsReadTheCallersEndedCallsThroughTheirIndexNeverAllCalls()
    {
        var callId = await ScalarAsync<Guid>("select id from calls where platform_call_id = 'queued-1'");
        var scans = ScansOfCalls(await ExplainAsync(RecentContacts.Sql, new
        {
            callId, since = DateTimeOffset.UtcNow.AddDays(-7), count = RecentContacts.Count,
        }));

        Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
        Assert.Equal(["calls_by_caller", "calls_pkey"], scans.Select(s => s.Index ?? "(none)").Order().ToList());
    }

    [Fact]
    public async Task ErasureFindsACallersCallsThroughIndexesNeverByReadingAllCalls()
    {
        var now = DateTimeOffset.UtcNow;
        var scans = ScansOfCalls(await ExplainAsync(Umearegionen.Switchboard.PersonalData.Erasures.FindSql, new
        {
            number = "+46701234", name = (string?)null, now, maxAttempts = 5, faultReportsCutoff = now.AddDays(-730),
        }));

        Assert.NotEmpty(scans);
        Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task CallHistoryListsNewestCallsWithoutReadingAllCalls(bool byTime, bool byPlatformId)
    {
        var now = DateTimeOffset.UtcNow;
        var scans = ScansOfCalls(await ExplainAsync(CallHistory.ListSql, new
        {
            from = byTime ? now.AddHours(-2) : (DateTimeOffset?)null, to = byTime ? now.AddHours(-1) : (DateTimeOffset?)null,
            platformCallId = byPlatformId ? "done-42" : null, number = (string?)null, beforeAt = (DateTimeOffset?)null,
            beforeId = (Guid?)null, limit = 50,
        }));

        Assert.DoesNotContain(scans, s => s.NodeType == "Seq Scan");
        Assert.Equal(byPlatformId ? "calls_platform_call_id_key" : "calls_queued_today", Assert.Single(scans).Index);
    }

    [Fact]
    public async Task IntakeCountsTheWaitingCallsOnlyAsFarAsThereAreFreeOperators()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow;
        object Arrival(string platformCallId) => new
        {
            id = Guid.NewGuid(), platformCallId, caller = "+46701234567", dialled = "+4690161000", topic = (string?)null,
            priority = 0, now, expires = now.AddSeconds(20), offerOnArrival = true,
        };

        // Ten operators free and forty calls waiting: the ten are left to the first ten, and no more of the
        // queue is read.
        var withTenFree = await ExplainAnalyzeAsync(conn, CallIntake.ReceiveSql, Arrival("plan-intake-1"));
        Assert.Equal(10, RowsReadFrom(withTenFree, "call_queue"));
        Assert.Equal("queued", await conn.ExecuteScalarAsync<string>("select state from calls where platform_call_id = 'plan-intake-1'"));

        // No call waiting: the first free operator is offered the call, and only their account is looked up
        // (whether it is still an enabled operator's), not every free operator's.
        await conn.ExecuteAsync("delete from call_queue");
        var withNoQueue = await ExplainAnalyzeAsync(conn, CallIntake.ReceiveSql, Arrival("plan-intake-2"));
        Assert.Equal(1, RowsReadFrom(withNoQueue, "accounts"));
        Assert.Equal("offered", await conn.ExecuteScalarAsync<string>("select state from calls where platform_call_id = 'plan-intake-2'"));

        // No one free: the queue is not read at all.
        await conn.ExecuteAsync("update operators set status = 'paused', paused_reason = 'break'");
        var withNoneFree = await ExplainAnalyzeAsync(conn, CallIntake.ReceiveSql, Arrival("plan-intake-3"));
        Assert.Equal(0, RowsReadFrom(withNoneFree, "call_queue"));

        await tx.RollbackAsync();
    }

    [Theory]
    [InlineData("ten main free", 1 + 11)]
    [InlineData("none free", 1 + 1)]
    [InlineData("a cover operator free", 1 + 40)]
    public async Task DispatcherReadsTheQueueOnlyAsFarAsTheFreeOperatorsCanTakeIt(string operators, long rowsRead)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync(operators switch
        {
            "none free" => "update operators set status = 'paused', paused_reason = 'break'",
            "a cover operator free" => "update operators set team = 'cover' where offered_call_id is null",
            _ => "select 1",
        });

        var plan = await ExplainAnalyzeAsync(conn, Dispatcher.QueueReadSql, new { batch = 500 });

        // Forty calls wait. After the one row that tells whether any waits: one more than the free main operators
        // (which tells that calls wait behind them), or the whole batch when the cover is free, who may take only
        // the calls that have waited past the threshold.
        Assert.Equal(rowsRead, RowsReadFrom(plan, "call_queue"));
        await tx.RollbackAsync();
    }

    private static async Task<JsonElement> ExplainAnalyzeAsync(NpgsqlConnection conn, string sql, object args)
    {
        var json = await conn.ExecuteScalarAsync<string>("explain (analyze, timing off, format json) " + sql, args);
        return JsonDocument.Parse(json!).RootElement[0].GetProperty("Plan");
    }

    /// <summary>The rows the scans of <paramref name="table"/> returned, over all their loops (its writes not counted).</summary>
    private static long RowsReadFrom(JsonElement plan, string table) =>
        ScansOf(plan, table).Sum(n => (long)(n.GetProperty("Actual Rows").GetDouble() * n.GetProperty("Actual Loops").GetDouble()));

    /// <summary>The nodes that read rows of <paramref name="table"/> (not the writes of them).</summary>
    private static IEnumerable<JsonElement> ScansOf(JsonElement plan, string table) =>
        Nodes(plan).Where(n => n.GetProperty("Node Type").GetString() != "ModifyTable"
                               && n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == table);

    /// <summary>Every node of the plan, its own and those below it.</summary>
    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        return (await conn.ExecuteScalarAsync<T>(sql))!;
    }

    private async Task<JsonElement> ExplainAsync(string sql, object args)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        var json = await conn.ExecuteScalarAsync<string>("explain (format json) " + sql, args);
        return JsonDocument.Parse(json!).RootElement[0].GetProperty("Plan");
    }

    /// <summary>Every node that reads rows of calls (not the update of them), with the index it reads.</summary>
    private static List<(string NodeType, string? Index)> ScansOfCalls(JsonElement plan)
    {
        return ScansOf(plan, "calls").Select(n => (n.GetProperty("Node Type").GetString()!, IndexOf(n))).ToList();

        // A bitmap heap scan names its index in the bitmap index scan below it.
        static string? IndexOf(JsonElement node) =>
            node.TryGetProperty("Index Name", out var index) ? index.GetString()
            : node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Select(IndexOf).FirstOrDefault(i => i is not null)
            : null;
    }
}
