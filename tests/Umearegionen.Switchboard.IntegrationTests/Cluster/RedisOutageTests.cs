namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Redis, SignalR's backplane, goes away and comes back. Without it every node still takes, offers and
/// handles calls (the state is in PostgreSQL) and pushes to its own clients; when it is back the nodes
/// close their hub connections so that clients reconnect and resync. Redis is started again after each
/// test whatever happened.
/// </summary>
[Collection(ServiceCluster.Collection)]
public sealed class RedisOutageTests(RedisOutageTests.TwoNodes cluster) : IClassFixture<RedisOutageTests.TwoNodes>
{
    public sealed class TwoNodes : ServiceCluster;

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public Task WithoutRedisNodesAreDegradedAndStillTakeOfferAndHandleCalls() => cluster.TestAsync(async () =>
    {
        var leader = await cluster.LeaderAsync();
        var other = cluster.Others(leader).Single();
        var onLeader = await cluster.OperatorAsync(leader, OperatorStatuses.Paused);
        var onOther = await cluster.OperatorAsync(other);

        await cluster.Redis.StopAsync();

        await ReadinessOfEveryNodeIsAsync("Degraded", "Degraded");

        // A call taken on a node is offered on arrival to an operator on that node: pushed without Redis.
        var first = await cluster.CallAsync(other);
        Assert.Equal(CallStates.Offered, first.State);
        Assert.Equal(first.CallId, (await onOther.NextOfferAsync(Soon)).Call.Id);
        await onOther.AcceptAsync(first.CallId);
        await onOther.AnswerAsync(first.CallId);
        await onOther.SetStatusAsync(OperatorStatuses.Paused, "test");

        // The leader's dispatcher offers a waiting call to an operator on the leader.
        var second = await cluster.CallAsync(other);
        Assert.Equal(CallStates.Queued, second.State);
        await onLeader.SetStatusAsync(OperatorStatuses.Available);
        Assert.Equal(second.CallId, (await onLeader.NextOfferAsync(Soon)).Call.Id);
        await onLeader.AcceptAsync(second.CallId);
        await onLeader.AnswerAsync(second.CallId);
        await onLeader.SetStatusAsync(OperatorStatuses.Paused, "test");

        // An offer the leader makes to an operator on the other node cannot be pushed there now, but
        // nothing is lost: it is stored, the operator's Resync shows it and they can take the call.
        var third = await cluster.CallAsync(leader);
        Assert.Equal(CallStates.Queued, third.State);
        await onOther.SetStatusAsync(OperatorStatuses.Available);
        await ServiceCluster.EventuallyAsync(async () => await cluster.ScalarAsync<long>(
                "select count(*) from calls where id = @id and state = 'offered' and offered_to = @op", new { id = third.CallId, op = onOther.Id }) == 1,
            Soon, "the waiting call is offered to the operator on the other node");
        var sync = await onOther.ResyncAsync();
        Assert.Equal(third.CallId, sync.Offer?.Call.Id);
        await onOther.AcceptAsync(third.CallId);
        await onOther.AnswerAsync(third.CallId);

        var ids = new[] { first.CallId, second.CallId, third.CallId };
        await OfferHistory.AssertEveryCallOfferedOnceAtATimeAsync(cluster, ids);
        await OfferHistory.AssertNoOperatorHadTwoAtATimeAsync(cluster, ids, [onLeader.Id, onOther.Id]);
        Assert.Equal(2, (await leader.ReadinessAsync()).NodesAlive);
    });

    [Fact]
    public Task WhenRedisIsBackNodesAreHealthyAndTheirClientsReconnectResyncAndGetOffersAcrossNodesAgain() => cluster.TestAsync(async () =>
    {
        var (first, second) = (cluster[1], cluster[2]);
        var onFirst = await cluster.OperatorAsync(first, autoReconnect: true);
        var onSecond = await cluster.OperatorAsync(second, OperatorStatuses.Paused, autoReconnect: true);
        var held = await cluster.CallAsync(second);
        Assert.Equal(held.CallId, (await onFirst.NextOfferAsync(Soon)).Call.Id);
        await onFirst.AcceptAsync(held.CallId);
        var before = (await onFirst.ResyncAsync()).Me;

        await cluster.Redis.StopAsync();
        await ReadinessOfEveryNodeIsAsync("Degraded", "Degraded");
        await cluster.Redis.StartAsync();

        await ReadinessOfEveryNodeIsAsync("Healthy", "Healthy");
        // Live events between the nodes were lost meanwhile: each node closed its clients' connections,
        // and the clients reconnect on their own (the server did not tell them to stay away).
        foreach (var op in new[] { onFirst, onSecond })
        {
            await op.WaitForAsync("reconnecting", TimeSpan.FromSeconds(20));
            await op.WaitForAsync("reconnected", TimeSpan.FromSeconds(20));
        }

        var sync = await onFirst.ResyncAsync();
        Assert.Equal(before, sync.Me);
        Assert.Equal(held.CallId, sync.CurrentCall?.Id);
        Assert.Equal(OperatorStatuses.Paused, (await onSecond.ResyncAsync()).Me!.Status);
        await onFirst.AnswerAsync(held.CallId);
        await onFirst.SetStatusAsync(OperatorStatuses.Paused, "test");

        // Through Redis again: a call taken on one node is offered to an operator on the other.
        await onSecond.SetStatusAsync(OperatorStatuses.Available);
        var call = await cluster.CallAsync(first);
        Assert.Equal(CallStates.Offered, call.State);
        Assert.Equal(call.CallId, (await onSecond.NextOfferAsync(Soon)).Call.Id);
        await onSecond.AcceptAsync(call.CallId);
        await onSecond.AnswerAsync(call.CallId);
    });

    /// <summary>Every node answers readiness with 200 and these statuses, within ten seconds.</summary>
    private async Task ReadinessOfEveryNodeIsAsync(string status, string redis)
    {
        foreach (var node in cluster.Nodes)
        {
            Readiness? last = null;
            await ServiceCluster.EventuallyAsync(async () =>
                {
                    last = await node.ReadinessAsync();
                    return last.Status == status && last.Check("redis") == redis;
                },
                TimeSpan.FromSeconds(20), () => $"{node.Name} ready as {status} with Redis {redis} (last: {last})");
            Assert.Equal(HttpStatusCode.OK, last!.Code);
            Assert.Equal("Healthy", last.Check("postgresql"));
        }
    }
}
