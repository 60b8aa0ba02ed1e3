using Umearegionen.Switchboard.Platform.Cluster;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A leader that has lost the lead may still be in the middle of a dispatch round or a sweep (a long
/// pause, a cut network) while the new leader works. Nothing but the database keeps the two from
/// offering a call twice or timing an offer out twice: each step is a conditional statement. Here two
/// nodes run in-process on one database, and neither leads (the test holds the leader's lock, as a
/// third node would), so every round and sweep is one the test runs: <see cref="Dispatcher.RoundOnceAsync"/>
/// and <see cref="Sweeper.SweepOnceAsync"/>, from both nodes at once, or from node B paused between
/// its read and its write while the state changes underneath.
/// Each test names the condition in the SQL it guards; it fails when that condition is removed.
/// </summary>
public sealed class StaleLeaderTests(StaleLeaderTests.TwoNodes nodes) : IClassFixture<StaleLeaderTests.TwoNodes>
{
    public sealed class Node(string database, string name, string? applicationName) : SwitchboardApp(database)
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Cluster:NodeName"] = name,
            ["ConnectionStrings:Switchboard"] = new NpgsqlConnectionStringBuilder(DatabaseConnectionString) { ApplicationName = applicationName }.ConnectionString,
            ["Routing:OfferTimeout"] = "00:01:00",
        };
    }

    public sealed class TwoNodes : IAsyncLifetime
    {
        /// <summary>Node B's connections carry this name, so that the test can pause them alone (<see cref="Pause"/>).</summary>
        public const string StaleApplicationName = "stale-node";

        /// <summary>The advisory lock a paused statement of node B waits for.</summary>
        public const int PauseLock = 7_401_999;

        private NpgsqlConnection? _lead;

        public Node A { get; private set; } = null!;

        public Node B { get; private set; } = null!;

        public string Database { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Database = await TestPostgres.CreateDatabaseAsync();
            // The leader's lock, held here for the whole class: neither node leads, so neither runs the
            // dispatcher's or the sweeper's loop.
            _lead = new NpgsqlConnection(Database);
            await _lead.OpenAsync();
            await _lead.ExecuteAsync("select pg_advisory_lock(@leader, 1)", new { leader = ClusterNode.LeaderLockClass });

            A = new Node(Database, "node-a", null);
            await ((IAsyncLifetime)A).InitializeAsync();
            B = new Node(Database, "node-b", StaleApplicationName);
            await ((IAsyncLifetime)B).InitializeAsync();
            Assert.False(A.Service<ClusterNode>().IsLeader || B.Service<ClusterNode>().IsLeader);

            // Test-only: a statement of node B that is about to update operators or calls first waits
            // while the test holds PauseLock. The statement's snapshot is taken already; no row is
            // locked yet. A stale leader stalled there (a pause, a slow network) is in the same place.
            await _lead.ExecuteAsync($"""
                create function test_pause_stale_node() returns trigger language plpgsql as $$
                begin
                    if current_setting('application_name') = '{StaleApplicationName}' then
                        perform pg_advisory_xact_lock_shared({PauseLock}, 1);
                    end if;
                    return null;
                end $$;
                create trigger test_pause_stale_node before update on operators
                    for each statement execute function test_pause_stale_node();
                create trigger test_pause_stale_node before update on calls
                    for each statement execute function test_pause_stale_node();
                """);
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)B).DisposeAsync();
            await ((IAsyncLifetime)A).DisposeAsync();
            if (_lead is not null)
            {
                await _lead.DisposeAsync();
            }

            await TestPostgres.DropDatabaseAsync(Database);
        }
    }

    // ---- Dispatch rounds ----------------------------------------------------------------------------

    /// <summary>
    /// Guards `o.assignments = a.seen` in the offer (Dispatcher's OfferSql): every round reads the same
    /// operators, so of two rounds offering to one operator the second waits for the first's row lock,
    /// finds the count changed and makes no offer. Without the condition it adds one to the count all
    /// the same (the call, no longer queued, is not offered twice) and the counts no longer match the
    /// offers. Each call and operator also gets exactly one offer, event and instruction.
    /// </summary>
    [Fact]
    public async Task RoundsRunAtOnceOnTwoNodesOfferEachCallOnceAndCountEachOfferOnce()
    {
        const int Operators = 8;
        const int Calls = 16;
        const int RoundsPerNode = 8;
        await using var world = new RoutingDriver(nodes.A);
        var operators = await PausedOperatorsAsync(world, Operators);
        var ids = operators.Select(o => o.Id).ToArray();
        for (var iteration = 0; iteration < 3; iteration++)
        {
            var calls = new List<Guid>();
            for (var i = 0; i < Calls; i++)
            {
                var call = await world.CallAsync();
                Assert.Equal(CallStates.Queued, call.State);
                calls.Add(call.CallId);
            }

            var before = await AssignmentsAsync(ids);
            await MakeAvailableQuietlyAsync(ids);

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var rounds = Enumerable.Range(0, 2 * RoundsPerNode).Select(i => Task.Run(async () =>
            {
                await start.Task;
                return await (i % 2 == 0 ? nodes.A : nodes.B).Service<Dispatcher>().RoundOnceAsync(CancellationToken.None);
            })).ToList();
            start.SetResult();
            var offered = await Task.WhenAll(rounds);

            Assert.Equal(Operators, offered.Sum());
            var callIds = calls.ToArray();
            Assert.Equal(Operators, await ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where call_id = any(@callIds)", new { callIds }));
            Assert.Equal(Operators, await ScalarAsync<long>($"select count(distinct call_id) from {OfferRows.Table} offers where call_id = any(@callIds)", new { callIds }));
            Assert.Equal(Operators, await ScalarAsync<long>($"select count(distinct operator_id) from {OfferRows.Table} offers where call_id = any(@callIds)", new { callIds }));
            await AssertOneEventAndOneInstructionPerOfferAsync(callIds);
            Assert.Equal(Operators, await ScalarAsync<long>("select count(*) from calls where id = any(@callIds) and state = 'offered'", new { callIds }));
            var after = await AssignmentsAsync(ids);
            Assert.All(ids, id => Assert.True(after[id] - before[id] == 1,
                $"operator {id}: assignments went from {before[id]} to {after[id]} for one offer"));

            // The callers hang up (offers withdrawn) and the operators pause before the next iteration.
            var platform = await world.PlatformAsync();
            foreach (var call in await QueryAsync<string>("select platform_call_id from calls where id = any(@callIds)", new { callIds }))
            {
                await platform.ReportAsync(call, PlatformEventTypes.Ended, "test-cleanup");
            }

            await ExecuteAsync("update operators set status = 'paused', paused_reason = 'test' where account_id = any(@ids)", new { ids });
        }
    }

    /// <summary>
    /// Guards `calls.state = 'queued'` in the offer's update of calls (Dispatcher's OfferSql). Node B reads
    /// the call as waiting and its operator as free; before it writes, another operator picks the call
    /// from the queue. The operator B chose did not change, so only the call's state stops the offer:
    /// without the condition the call, already connected, would be offered as well.
    /// </summary>
    [Fact]
    public async Task RoundPausedBetweenItsReadAndItsWriteDoesNotOfferACallAnotherOperatorTookMeanwhile()
    {
        await using var world = new RoutingDriver(nodes.A);
        var free = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var picker = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var call = await world.CallAsync();
        Assert.Equal(CallStates.Queued, call.State);
        await MakeAvailableQuietlyAsync([free.Id]);

        await using var pause = await Pause.HoldAsync(nodes.Database);
        var round = nodes.B.Service<Dispatcher>().RoundOnceAsync(CancellationToken.None);
        await pause.UntilNodeBWaitsAsync();
        await picker.AcceptAsync(call.CallId);
        await pause.ReleaseAsync();

        Assert.Equal(0, await round);
        var record = await world.CallRecordAsync(call.CallId);
        Assert.Equal((CallStates.Connected, picker.Id, (Guid?)null), (record.State, record.OperatorId!.Value, record.OfferedTo));
        Assert.Equal(0, await ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where call_id = @id", new { id = call.CallId }));
        await AssertOneEventAndOneInstructionPerOfferAsync([call.CallId]);
        Assert.Null((await free.ResyncAsync()).Offer);
    }

    /// <summary>
    /// Guards `o.assignments = a.seen` in the offer's update of operators (Dispatcher's OfferSql). Node B
    /// reads the operator as free; before it writes, the operator picks another call from the queue.
    /// Their status is still available, and no unique index sees an offer to an operator on a call, so
    /// only the changed count stops the offer: without the condition they would be offered a call while on one.
    /// </summary>
    [Fact]
    public async Task RoundPausedBetweenItsReadAndItsWriteDoesNotOfferToAnOperatorWhoTookACallMeanwhile()
    {
        await using var world = new RoutingDriver(nodes.A);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var first = await world.CallAsync();
        var second = await world.CallAsync();
        await MakeAvailableQuietlyAsync([op.Id]);
        var before = (await AssignmentsAsync([op.Id]))[op.Id];

        await using var pause = await Pause.HoldAsync(nodes.Database);
        // B's read: the first call in the queue for the one free operator.
        var round = nodes.B.Service<Dispatcher>().RoundOnceAsync(CancellationToken.None);
        await pause.UntilNodeBWaitsAsync();
        await op.AcceptAsync(second.CallId);
        await pause.ReleaseAsync();

        Assert.Equal(0, await round);
        Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(first.CallId)).State);
        Assert.Equal(0, await ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where call_id = any(@ids)", new { ids = new[] { first.CallId, second.CallId } }));
        await AssertOneEventAndOneInstructionPerOfferAsync([first.CallId, second.CallId]);
        var sync = await op.ResyncAsync();
        Assert.Equal(second.CallId, sync.CurrentCall?.Id);
        Assert.Null(sync.Offer);
        Assert.Equal(before + 1, (await AssignmentsAsync([op.Id]))[op.Id]);
    }

    // ---- Sweeps -------------------------------------------------------------------------------------

    /// <summary>
    /// Guards the row lock, `for update skip locked`, in the sweeper's ExpireSql: of sweeps running at once
    /// on two nodes, each expired offer is timed out by one, with one `offer_timed_out` event and one
    /// `stop_ringing` instruction. Without the lock, sweeps that read the offer before either wrote all
    /// time it out. (`skip locked` only spares the waiting; `for update` alone passes too. Nor is it
    /// `state = 'offered'` that stops the second sweep: every way out of offered clears
    /// offer_expires_at, so the locked row's newest version already fails `offer_expires_at &lt;= @now`.)
    /// </summary>
    [Fact]
    public async Task SweepsRunAtOnceOnTwoNodesTimeEachExpiredOfferOutOnce()
    {
        const int Operators = 8;
        const int SweepsPerNode = 8;
        await using var world = new RoutingDriver(nodes.A);
        var operators = await PausedOperatorsAsync(world, Operators);
        var ids = operators.Select(o => o.Id).ToArray();
        for (var iteration = 0; iteration < 3; iteration++)
        {
            await MakeAvailableQuietlyAsync(ids);
            var calls = new List<Guid>();
            for (var i = 0; i < Operators; i++)
            {
                var call = await world.CallAsync();
                Assert.Equal(CallStates.Offered, call.State);
                calls.Add(call.CallId);
            }

            var callIds = calls.ToArray();
            await ExecuteAsync("update calls set offer_expires_at = offered_at - interval '1 second' where id = any(@callIds)", new { callIds });

            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sweeps = Enumerable.Range(0, 2 * SweepsPerNode).Select(i => Task.Run(async () =>
            {
                await start.Task;
                await (i % 2 == 0 ? nodes.A : nodes.B).Service<Sweeper>().SweepOnceAsync(CancellationToken.None);
            })).ToList();
            start.SetResult();
            await Task.WhenAll(sweeps);

            await AssertTimedOutOnceAsync(callIds);
            Assert.Equal(Operators, await ScalarAsync<long>(
                "select count(*) from operators where account_id = any(@ids) and status = 'paused' and paused_reason = @reason",
                new { ids, reason = Sweeper.MissedOfferReason }));

            var platform = await world.PlatformAsync();
            foreach (var call in await QueryAsync<string>("select platform_call_id from calls where id = any(@callIds)", new { callIds }))
            {
                await platform.ReportAsync(call, PlatformEventTypes.Ended, "test-cleanup");
            }
        }
    }

    /// <summary>
    /// Guards the row lock, `for update skip locked`, in ExpireSql, deterministically: node B's sweep has
    /// taken its snapshot (the offer expired and open) when it pauses; node A times the offer out
    /// meanwhile. B's lock on the row finds the newest version, checks the conditions again and skips it.
    /// Without the row lock B times the offer out a second time (a second event, a second `stop_ringing`).
    /// </summary>
    [Fact]
    public async Task SweepPausedAfterItsSnapshotDoesNotTimeOutAgainAnOfferTimedOutMeanwhile()
    {
        await using var world = new RoutingDriver(nodes.A);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        await MakeAvailableQuietlyAsync([op.Id]);
        var call = await world.CallAsync();
        Assert.Equal(CallStates.Offered, call.State);
        await ExecuteAsync("update calls set offer_expires_at = offered_at - interval '1 second' where id = @id", new { id = call.CallId });

        await using var pause = await Pause.HoldAsync(nodes.Database);
        var stale = nodes.B.Service<Sweeper>().SweepOnceAsync(CancellationToken.None);
        await pause.UntilNodeBWaitsAsync();
        await nodes.A.Service<Sweeper>().SweepOnceAsync(CancellationToken.None);
        await pause.ReleaseAsync();
        await stale;

        await AssertTimedOutOnceAsync([call.CallId]);
        Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(call.CallId)).State);
    }

    // ---- Helpers ------------------------------------------------------------------------------------

    /// <summary>Per call: as many `offered` events and `ring_operator` instructions as offers, to the same operators.</summary>
    private async Task AssertOneEventAndOneInstructionPerOfferAsync(Guid[] callIds)
    {
        foreach (var (name, sql) in new[]
                 {
                     ("offered events", "select call_id, (data->>'operatorId')::uuid from call_history_events where type = 'offered' and call_id = any(@callIds)"),
                     ("ring_operator instructions", "select call_id, (payload->>'operatorId')::uuid from telephony_instructions where kind = 'ring_operator' and call_id = any(@callIds)"),
                 })
        {
            var differ = await ScalarAsync<long>($"""
                select count(*) from (
                    (select call_id, operator_id from {OfferRows.Table} offers where call_id = any(@callIds) except all {sql})
                    union all
                    ({sql} except all select call_id, operator_id from {OfferRows.Table} offers where call_id = any(@callIds))) d
                """, new { callIds });
            Assert.True(differ == 0, $"{differ} offers and {name} do not match one to one");
        }
    }

    /// <summary>Each call's one offer timed out once: one event, one `stop_ringing`, back in the queue.</summary>
    private async Task AssertTimedOutOnceAsync(Guid[] callIds)
    {
        var rows = await QueryAsync<(Guid Call, string State, long Offers, long TimedOut, long Events, long StopRinging)>($"""
            select c.id, c.state,
                   (select count(*) from {OfferRows.Table} o where o.call_id = c.id),
                   (select count(*) from {OfferRows.Table} o where o.call_id = c.id and o.resolution = 'timed_out'),
                   (select count(*) from call_events e where e.call_id = c.id and e.type = 'offer_timed_out'),
                   (select count(*) from telephony_instructions i where i.call_id = c.id and i.kind = 'stop_ringing')
            from calls c where c.id = any(@callIds)
            """, new { callIds });
        Assert.Equal(callIds.Length, rows.Count);
        Assert.All(rows, r => Assert.Equal((r.Call, CallStates.Queued, 1L, 1L, 1L, 1L), r));
    }

    /// <summary>Operators made available and free by the database alone: nothing wakes a dispatcher. Idle longest in the order given.</summary>
    private Task MakeAvailableQuietlyAsync(Guid[] ids) => ExecuteAsync("""
        update operators set status = 'available', paused_reason = null,
                             idle_since = now() - interval '1 hour' + make_interval(secs => array_position(@ids, account_id))
        where account_id = any(@ids)
        """, new { ids });

    private async Task<Dictionary<Guid, long>> AssignmentsAsync(Guid[] ids) =>
        (await QueryAsync<(Guid Id, long Assignments)>("select account_id, assignments from operators where account_id = any(@ids)", new { ids }))
        .ToDictionary(r => r.Id, r => r.Assignments);

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(nodes.Database);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("No value: " + sql);
    }

    private async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(nodes.Database);
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    private async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(nodes.Database);
        await conn.ExecuteAsync(sql, args);
    }

    /// <summary>Holds <see cref="TwoNodes.PauseLock"/>: node B's next update of operators or calls waits until released.</summary>
    private sealed class Pause : IAsyncDisposable
    {
        private readonly NpgsqlConnection _conn;
        private bool _held = true;

        private Pause(NpgsqlConnection conn) => _conn = conn;

        public static async Task<Pause> HoldAsync(string database)
        {
            var conn = new NpgsqlConnection(database);
            await conn.OpenAsync();
            await conn.ExecuteAsync("select pg_advisory_lock(@pause, 1)", new { pause = TwoNodes.PauseLock });
            return new Pause(conn);
        }

        /// <summary>Until a statement of node B waits for the pause (its read is done, its write not begun).</summary>
        public async Task UntilNodeBWaitsAsync()
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (await _conn.ExecuteScalarAsync<long>("""
                       select count(*) from pg_stat_activity
                       where datname = current_database() and application_name = @app
                         and wait_event_type = 'Lock' and wait_event = 'advisory'
                       """, new { app = TwoNodes.StaleApplicationName }) == 0)
            {
                Assert.True(DateTime.UtcNow < until, "Node B's statement never reached the pause.");
                await Task.Delay(20);
            }
        }

        public async Task ReleaseAsync()
        {
            if (_held)
            {
                _held = false;
                await _conn.ExecuteAsync("select pg_advisory_unlock(@pause, 1)", new { pause = TwoNodes.PauseLock });
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await _conn.DisposeAsync();
        }
    }

    /// <summary>Operators connected and paused, so that nothing is offered to them until a test says so.</summary>
    private static async Task<List<OperatorClient>> PausedOperatorsAsync(RoutingDriver world, int count)
    {
        var operators = new List<OperatorClient>();
        for (var i = 0; i < count; i++)
        {
            operators.Add(await world.OperatorAsync(status: OperatorStatuses.Paused));
        }

        return operators;
    }
}
