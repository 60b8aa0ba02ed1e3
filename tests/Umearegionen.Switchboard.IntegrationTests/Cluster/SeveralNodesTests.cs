using System.Globalization;
using Umearegionen.Switchboard.Platform.Cluster;
using Xunit.Abstractions;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Two nodes as processes, Redis between them: calls, offers and instructions cross from one node to
/// the other. The sweeper ticks only once a minute here, so that what wakes the leader's dispatcher
/// within seconds can only be another node's signal, not the leader's own tick.
/// </summary>
[Collection(ServiceCluster.Collection)]
public sealed class SeveralNodesTests(SeveralNodesTests.TwoNodes cluster, ITestOutputHelper output) : IClassFixture<SeveralNodesTests.TwoNodes>
{
    public sealed class TwoNodes : ServiceCluster
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Routing:SweepInterval"] = "00:01:00",
            // A long poll answers only for new instructions, never for old ones due again.
            ["Telephony:RedeliverAfter"] = "01:00:00",
        };
    }

    /// <summary>Generous: the point is "pushed across nodes at once", not how fast.</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public Task ExactlyOneNodeLeadsAndEachCountsBothAlive() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();

        foreach (var node in cluster.Nodes)
        {
            var ready = await node.ReadinessAsync();
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.Code);
            Assert.Equal("Healthy", ready.Status);
            Assert.Equal(node.Name, ready.Node);
            Assert.Equal(node == leader, ready.Leader);
            Assert.Equal(2, ready.NodesAlive);
            Assert.Equal("Healthy", ready.Check("postgresql"));
            Assert.Equal("Healthy", ready.Check("redis"));
        }
    });

    [Fact]
    public Task CallTakenOnOneNodeIsOfferedOnArrivalToAnOperatorOnTheOther() => cluster.TestAsync(async () =>
    {
        foreach (var (operatorNode, callNode) in new[] { (cluster[1], cluster[2]), (cluster[2], cluster[1]) })
        {
            var op = await cluster.OperatorAsync(operatorNode);

            var call = await cluster.CallAsync(callNode);

            // Stored as offered by the intake on the other node, pushed to this node's client through Redis.
            Assert.Equal(CallStates.Offered, call.State);
            var offer = await op.NextOfferAsync(Soon);
            Assert.Equal(call.CallId, offer.Call.Id);
            await op.AcceptAsync(call.CallId);
            await op.AnswerAsync(call.CallId);
            await op.SetStatusAsync(OperatorStatuses.Offline);
        }
    });

    [Fact]
    public Task AnOfferEndedOnOneNodeStopsRingingOnTheOperatorsScreenOnTheOther() => cluster.TestAsync(async () =>
    {
        var op = await cluster.OperatorAsync(cluster[1]);
        await using var otherScreen = new NodeOperator(op.Id, op.Username, op.Token, autoReconnect: false);
        await otherScreen.ConnectAsync(cluster[2]);

        // Paused on node 1 while it rings: the screen on node 2 is told through the backplane.
        var call = await cluster.CallAsync(cluster[1]);
        Assert.Equal(call.CallId, (await op.NextOfferAsync(Soon)).Call.Id);
        Assert.Equal(call.CallId, (await otherScreen.NextOfferAsync(Soon)).Call.Id);
        await op.SetStatusAsync(OperatorStatuses.Paused, "lunch");
        var withdrawn = await otherScreen.NextAsync(otherScreen.Withdrawn, Soon, "the withdrawal on the other node");
        Assert.Equal((call.CallId, OfferEndings.StatusChanged), (withdrawn.CallId, withdrawn.Code));
        var here = await op.NextAsync(op.Withdrawn, Soon, "the withdrawal on the screen that paused");
        Assert.Equal((call.CallId, OfferEndings.StatusChanged), (here.CallId, here.Code));

        // Offered again and taken on node 2: the screen on node 1 stops ringing; the one that took it is not told.
        await op.SetStatusAsync(OperatorStatuses.Available);
        Assert.Equal(call.CallId, (await op.NextOfferAsync(Soon)).Call.Id);
        Assert.Equal(call.CallId, (await otherScreen.NextOfferAsync(Soon)).Call.Id);
        await otherScreen.AcceptAsync(call.CallId);
        var elsewhere = await op.NextAsync(op.Withdrawn, Soon, "the accept on the other screen");
        Assert.Equal((call.CallId, OfferEndings.AcceptedElsewhere), (elsewhere.CallId, elsewhere.Code));
        await otherScreen.AnswerAsync(call.CallId);
        await op.SetStatusAsync(OperatorStatuses.Offline);
        Assert.False(otherScreen.Withdrawn.Reader.TryRead(out _), "the screen that took the call is not told it was withdrawn");
    });

    [Fact]
    public Task CallWaitingIsOfferedByTheLeaderWhenAnOperatorOnAnotherNodeBecomesAvailable() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();
        var other = cluster.Others(leader).Single();
        var op = await cluster.OperatorAsync(other, OperatorStatuses.Paused);
        var call = await cluster.CallAsync(leader);
        Assert.Equal(CallStates.Queued, call.State);

        // On the node that does not lead, becoming available signals the leader's dispatcher (pg_notify);
        // its offer comes back to this node's client through Redis.
        await op.SetStatusAsync(OperatorStatuses.Available);

        var offer = await op.NextOfferAsync(Soon);
        Assert.Equal(call.CallId, offer.Call.Id);
        Assert.Equal("dispatcher", await cluster.ScalarAsync<string>(
            "select actor_id from call_history_events where call_id = @id and type = 'offered'", new { id = call.CallId }));
    });

    [Fact]
    public Task InstructionLongPollOnOneNodeAnswersAsSoonAsAnotherNodeStoresAnInstruction() => cluster.TestAsync(async () =>
    {
        var polled = cluster[1];
        var storing = cluster[2];
        var platform = cluster.Platform(polled);
        // Nothing pending: the poll can only answer for an instruction stored while it waits.
        var pending = await NothingPendingAsync(platform);

        var op = await cluster.OperatorAsync(storing);
        var poll = platform.PollAsync(pending.LastSeq, waitSeconds: 25);
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "The poll answered before anything was stored.");

        var watch = Stopwatch.StartNew();
        var call = await cluster.CallAsync(storing);
        Assert.Equal(CallStates.Offered, call.State);
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(watch.Elapsed < Soon, $"The poll on {polled.Name} answered {watch.Elapsed.TotalSeconds:0.0} s after the instruction was stored on {storing.Name}.");
        var ring = Assert.Single(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId);
        Assert.Equal(InstructionKinds.RingOperator, ring.Kind);
        Assert.Equal(op.Id, ring.OperatorId);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    });

    // Through Redis while both nodes hear it there (docs/decisions/0030): the intake's signal reaches the other
    // node as a Redis message, and nothing is notified on PostgreSQL for it (each notification would be a
    // transaction in every node's listening backend).
    [Fact]
    public Task AnIntakeOnOneNodeWakesTheOthersLongPollThroughRedisWithoutANotificationOnPostgreSql() => cluster.TestAsync(async () =>
    {
        var polled = cluster[1];
        var storing = cluster[2];
        var platform = cluster.Platform(polled);
        var pending = await NothingPendingAsync(platform);
        await EveryNodeHearsRedisAsync();
        var storingId = await NodeIdAsync(storing);

        await using var notifications = await Notifications.ListenAsync(cluster.DatabaseConnectionString);
        await using var messages = await RedisMessages.SubscribeAsync(cluster);
        var (op, call, batch) = await cluster.IntakeWhileAPollWaitsAsync(platform, storing, pending.LastSeq);
        await ServiceCluster.EventuallyAsync(() => Task.FromResult(messages.From(storingId).Any(m => m.Length == 2 && (Bits(m) & Signal.Instructions) != 0)),
            Soon, () => $"a Redis message from {storing.Name} with Instructions (seen: {string.Join(", ", messages.All)})");

        // node:bits, no transaction id: no write's commit delivers it.
        output.WriteLine($"Redis messages from {storing.Name}: {string.Join(", ", messages.From(storingId).Select(m => string.Join(':', m)))}");
        Assert.Empty(notifications.From(storingId));
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
        await op.SetStatusAsync(OperatorStatuses.Offline);
    });

    // A live node that does not hold the lock "I hear signals on Redis" (here an older version's, as in a rolling
    // upgrade: a node's lock and a listener, nothing more) makes the nodes signal through PostgreSQL again,
    // the intake carrying its notification in its own transaction (docs/decisions/0025).
    [Fact]
    public Task ALiveNodeThatDoesNotHearRedisMakesTheOthersSignalThroughPostgreSqlInTheWritesOwnTransaction() => cluster.TestAsync(async () =>
    {
        var polled = cluster[1];
        var storing = cluster[2];
        var platform = cluster.Platform(polled);
        var pending = await NothingPendingAsync(platform);
        await EveryNodeHearsRedisAsync();
        var storingId = await NodeIdAsync(storing);

        await using var notifications = await Notifications.ListenAsync(cluster.DatabaseConnectionString);
        await using var older = await Notifications.OlderNodeAsync(cluster.DatabaseConnectionString);
        // The nodes' next ticks count it (a second apart); its Hello makes them stop at once.
        await Task.Delay(ClusterNode.TickInterval * 1.5);

        var (op, call, batch) = await cluster.IntakeWhileAPollWaitsAsync(platform, storing, pending.LastSeq);
        var intakeXid = await cluster.ScalarAsync<long>("select xmin::text::bigint from calls where id = @id", new { id = call.CallId });

        // node:bits:xid, from the storing node, in the intake's transaction (xmin is the id's low 32 bits).
        var fromStoring = notifications.From(storingId);
        output.WriteLine($"notifications from {storing.Name}: {string.Join(", ", fromStoring.Select(p => string.Join(':', p)))}");
        var carried = Assert.Single(fromStoring, p => p.Length == 3 && (long)(ulong.Parse(p[2], CultureInfo.InvariantCulture) & 0xFFFFFFFF) == intakeXid);
        Assert.NotEqual(Signal.None, Bits(carried) & Signal.Instructions);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
        await op.SetStatusAsync(OperatorStatuses.Offline);

        // The older node goes, and the tests after this one find the nodes counting only each other again.
        await older.DisposeAsync();
        await ServiceCluster.EventuallyAsync(
            async () => (await Task.WhenAll(cluster.Nodes.Where(n => n.Running).Select(n => n.ReadinessAsync()))).All(r => r.NodesAlive == 2),
            TimeSpan.FromSeconds(10), () => "every node counting two nodes alive once the older one is gone");
    });

    // Every running node holds the lock that says it hears the signals on Redis, and a tick has passed since.
    private async Task EveryNodeHearsRedisAsync()
    {
        var running = cluster.Nodes.Count(n => n.Running);
        await ServiceCluster.EventuallyAsync(async () => await cluster.ScalarAsync<long>($"""
                select count(*) from pg_locks
                where locktype = 'advisory' and granted and objsubid = 2 and classid = {ClusterNode.RedisLockClass}
                  and database = (select oid from pg_database where datname = current_database())
                """) == running,
            TimeSpan.FromSeconds(10), "every node's lock: it hears Redis");
        await Task.Delay(ClusterNode.TickInterval * 1.5);
    }

    private async Task<long> NodeIdAsync(ServiceNode node) =>
        (await cluster.QueryAsync<long>("select id from cluster_nodes where name = @name order by id desc limit 1", new { name = node.Name })).Single();

    private static Signal Bits(string[] message) => (Signal)int.Parse(message[1], CultureInfo.InvariantCulture);

    // Acknowledges every instruction pending; the last poll's answer.
    private static async Task<InstructionBatch> NothingPendingAsync(TelephonySimulator.SimulatedPlatform platform)
    {
        var pending = await platform.PollAsync(0);
        while (pending.Instructions.Count > 0)
        {
            await platform.AcknowledgeAsync(pending.Instructions.Select(i => i.Seq));
            pending = await platform.PollAsync(pending.LastSeq);
        }

        return pending;
    }

    [Fact]
    public Task TwoNodesTakingCallsAtOnceNeverOfferACallTwiceAndLoseNone() => cluster.TestAsync(async () =>
    {
        const int Calls = 60;
        const int OperatorsPerNode = 4;
        var operators = new List<NodeOperator>();
        foreach (var node in cluster.Nodes)
        {
            for (var i = 0; i < OperatorsPerNode; i++)
            {
                operators.Add(await cluster.OperatorAsync(node));
            }
        }

        // Every operator accepts each offer and finishes the call at once.
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = operators.Select(op => Task.Run(async () =>
        {
            try
            {
                await foreach (var offer in op.Offers.Reader.ReadAllAsync(stop.Token))
                {
                    try
                    {
                        await op.AcceptAsync(offer.Call.Id);
                        await op.AnswerAsync(offer.Call.Id);
                    }
                    catch (HubException ex)
                    {
                        failures.Enqueue($"{op.Username} on {op.Node!.Name}, call {offer.Call.Id}: {ex.Message}");
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        // Half the calls to each node, all at once.
        var receipts = await Task.WhenAll(Enumerable.Range(0, Calls).Select(i => Task.Run(() => cluster.CallAsync(cluster[1 + i % 2]))));
        var ids = receipts.Select(r => r.CallId).ToArray();
        Assert.Equal(Calls, ids.Distinct().Count());

        await ServiceCluster.EventuallyAsync(async () =>
                await cluster.ScalarAsync<long>("select count(*) from calls where id = any(@ids) and state = 'completed'", new { ids }) == Calls,
            TimeSpan.FromSeconds(60), "every call completed");
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.Empty(failures);

        await OfferHistory.AssertEveryCallOfferedOnceAtATimeAsync(cluster, ids);
        await OfferHistory.AssertNoOperatorHadTwoAtATimeAsync(cluster, ids, operators.Select(o => o.Id).ToArray());
        output.WriteLine("Offers made: " + string.Join(", ", await cluster.QueryAsync<string>(
            "select actor_id || ' ' || count(*) from call_history_events where call_id = any(@ids) and type = 'offered' group by actor_id", new { ids })));
    });
}
