using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The leader dies (SIGKILL) or is stopped (SIGTERM): the other node takes the lead and its work. Each
/// test finds the leader it kills, and the killed node is started again afterwards (it comes back as a
/// node that does not lead).
/// </summary>
[Collection(ServiceCluster.Collection)]
public sealed class LeaderFailoverTests(LeaderFailoverTests.TwoNodes cluster) : IClassFixture<LeaderFailoverTests.TwoNodes>
{
    public sealed class TwoNodes : ServiceCluster
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Routing:OfferTimeout"] = "00:00:04",
            ["Routing:ReconnectGrace"] = "00:01:00",
            ["Routing:SweepInterval"] = "00:00:01",
        };
    }

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public Task WhenTheLeaderIsKilledAnotherNodeLeadsWithinSecondsAndCarriesOnItsWork() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();
        var survivor = cluster.Others(leader).Single();
        var next = await cluster.OperatorAsync(survivor, OperatorStatuses.Paused);
        var slow = await cluster.OperatorAsync(survivor);
        // Offered to the one free operator, who will not answer it.
        var unanswered = await cluster.CallAsync(survivor);
        Assert.Equal(unanswered.CallId, (await slow.NextOfferAsync(Soon)).Call.Id);

        await leader.KillAsync();
        // Still open once the leader is dead, so only the node left can time it out.
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            $"select count(*) from {OfferRows.Table} offers where call_id = @id and resolution is null", new { id = unanswered.CallId }));

        Assert.Same(survivor, await cluster.LeaderAsync(Soon));
        var ready = await survivor.ReadinessAsync();
        Assert.True(ready.Leader);

        // The new leader's dispatcher: a call that waits is offered when an operator becomes free.
        var waiting = await cluster.CallAsync(survivor);
        Assert.Equal(CallStates.Queued, waiting.State);
        await next.SetStatusAsync(OperatorStatuses.Available);
        Assert.Equal(waiting.CallId, (await next.NextOfferAsync(Soon)).Call.Id);
        Assert.Equal("dispatcher", await cluster.ScalarAsync<string>(
            "select actor_id from call_history_events where call_id = @id and type = 'offered'", new { id = waiting.CallId }));

        // The new leader's sweeper: the offer left open expires, once, and its operator is paused and told.
        var withdrawn = await slow.NextAsync(slow.Withdrawn, TimeSpan.FromSeconds(10), "the withdrawal of the expired offer");
        Assert.Equal(unanswered.CallId, withdrawn.CallId);
        Assert.Equal("timed_out", await cluster.ScalarAsync<string>(
            $"select resolution from {OfferRows.Table} offers where call_id = @id", new { id = unanswered.CallId }));
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and type = 'offer_timed_out'", new { id = unanswered.CallId }));
        Assert.Equal(1, await cluster.ScalarAsync<long>(
            "select count(*) from telephony_instructions where call_id = @id and kind = 'stop_ringing'", new { id = unanswered.CallId }));
        var slowState = (await slow.ResyncAsync()).Me!;
        Assert.Equal((OperatorStatuses.Paused, Sweeper.MissedOfferReason), (slowState.Status, slowState.PausedReason));

        // The killed node comes back and does not take the lead from the node that has it.
        await leader.StartAsync();
        Assert.Same(survivor, await cluster.LeaderAsync());
        await ServiceCluster.EventuallyAsync(async () => (await leader.ReadinessAsync()).NodesAlive == 2, Soon, "the restarted node counts two nodes");
        Assert.False((await leader.ReadinessAsync()).Leader);
    });

    [Fact]
    public Task OperatorsOfAKilledNodeKeepStatusPlaceAndCallWhenTheyReconnectToAnotherNodeWithinTheGrace() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();
        var survivor = cluster.Others(leader).Single();
        var onCall = await cluster.OperatorAsync(leader);
        var call = await cluster.CallAsync(survivor);
        Assert.Equal(call.CallId, (await onCall.NextOfferAsync(Soon)).Call.Id);
        await onCall.AcceptAsync(call.CallId);
        var waiting = await cluster.OperatorAsync(leader);
        var paused = await cluster.OperatorAsync(leader, status: null);
        await paused.SetStatusAsync(OperatorStatuses.Paused, "lunch");
        var early = await cluster.OperatorAsync(leader);
        var operators = new[] { onCall, waiting, paused };
        var ids = operators.Select(o => o.Id).ToArray();
        var before = new Dictionary<Guid, OperatorState>();
        foreach (var op in operators)
        {
            before[op.Id] = (await op.ResyncAsync()).Me!;
        }

        var killedNode = await cluster.ScalarAsync<long>("select node_id from operator_connections where account_id = @id", new { id = onCall.Id });

        await leader.KillAsync();
        // One screen reconnects to the node left at once, before (as a rule) the new leader has cleaned up.
        await early.ConnectAsync(survivor);

        // The new leader's sweeper finds the connections of the node that is gone: their grace period starts.
        Assert.Same(survivor, await cluster.LeaderAsync(Soon));
        await ServiceCluster.EventuallyAsync(async () => await cluster.ScalarAsync<long>(
                "select count(*) from operators where account_id = any(@ids) and disconnected_at is not null", new { ids }) == 3,
            TimeSpan.FromSeconds(10), "the killed node's operators are disconnected");
        Assert.Equal(0, await cluster.ScalarAsync<long>("select count(*) from operator_connections where node_id = @killedNode", new { killedNode }));
        Assert.Equal(0, await cluster.ScalarAsync<long>("select count(*) from cluster_nodes where id = @killedNode", new { killedNode }));
        Assert.Equal(new[] { OperatorStatuses.Available, OperatorStatuses.Available, OperatorStatuses.Paused },
            await cluster.QueryAsync<string>("select status from operators where account_id = any(@ids) order by array_position(@ids, account_id)", new { ids }));
        // The one who reconnected at once stays connected: the cleanup takes only the dead node's connection.
        var survivorNode = await cluster.ScalarAsync<long>("select max(id) from cluster_nodes where name = @name", new { name = survivor.Name });
        Assert.Equal($"connected, on node {survivorNode}", await cluster.ScalarAsync<string>("""
            select case when o.disconnected_at is null then 'connected' else 'disconnected at ' || o.disconnected_at end || ', on '
                   || coalesce((select string_agg('node ' || c.node_id, ', ') from operator_connections c where c.account_id = o.account_id), 'no node')
            from operators o where o.account_id = @id
            """, new { id = early.Id }));

        // Their screens reconnect, to the node left, within the grace period: everything is as it was.
        foreach (var op in operators)
        {
            await op.ConnectAsync(survivor);
        }

        var onCallSync = await onCall.ResyncAsync();
        Assert.Equal(before[onCall.Id], onCallSync.Me);
        Assert.Equal(call.CallId, onCallSync.CurrentCall?.Id);
        Assert.Equal(CallStates.Connected, onCallSync.CurrentCall!.State);
        var waitingSync = await waiting.ResyncAsync();
        Assert.Equal(before[waiting.Id], waitingSync.Me);
        Assert.Null(waitingSync.CurrentCall);
        var pausedSync = await paused.ResyncAsync();
        Assert.Equal(before[paused.Id], pausedSync.Me);
        Assert.Equal("lunch", pausedSync.Me!.PausedReason);
        Assert.Equal(0, await cluster.ScalarAsync<long>(
            "select count(*) from operators where account_id = any(@ids) and disconnected_at is not null", new { ids }));

        // The call carries on from the other node.
        var answered = await onCall.AnswerAsync(call.CallId);
        Assert.Equal(CallStates.Completed, answered.State);
    });

    [Fact]
    public Task LeaderStoppedGracefullyExitsCleanlyAndAnotherNodeLeads() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();
        var survivor = cluster.Others(leader).Single();

        Assert.Equal(0, await leader.StopAsync());

        Assert.Same(survivor, await cluster.LeaderAsync(Soon));
        await ServiceCluster.EventuallyAsync(async () => (await survivor.ReadinessAsync()).NodesAlive == 1, Soon, "the node left counts itself alone");
        var op = await cluster.OperatorAsync(survivor);
        var call = await cluster.CallAsync(survivor);
        Assert.Equal(call.CallId, (await op.NextOfferAsync(Soon)).Call.Id);
    });
}
