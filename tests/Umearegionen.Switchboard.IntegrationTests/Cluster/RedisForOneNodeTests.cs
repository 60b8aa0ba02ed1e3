using System.Globalization;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Redis goes away for one node only (node 2 reaches it through a proxy): that node stops hearing the
/// signals on Redis, and the others send theirs through PostgreSQL again (docs/decisions/0030).
/// </summary>
[Collection(ServiceCluster.Collection)]
public sealed class RedisForOneNodeTests(RedisForOneNodeTests.TwoNodes cluster) : IClassFixture<RedisForOneNodeTests.TwoNodes>
{
    public sealed class TwoNodes : ServiceCluster, IAsyncLifetime
    {
        private TcpProxy? _proxy;

        /// <summary>Between node 2 and Redis.</summary>
        public TcpProxy Node2Redis => _proxy ?? throw new InvalidOperationException("Node 2 has not started.");

        protected override IDictionary<string, string> SettingsFor(ServiceNode node)
        {
            var settings = new Dictionary<string, string>
            {
                // A long poll answers only for new instructions, never for old ones due again.
                ["Telephony:RedeliverAfter"] = "01:00:00",
            };
            if (node.Number == 2)
            {
                _proxy ??= new TcpProxy("127.0.0.1", Redis.Port);
                settings["ConnectionStrings:Redis"] = $"127.0.0.1:{_proxy.Port}";
            }

            return settings;
        }

        Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

        async Task IAsyncLifetime.DisposeAsync()
        {
            await DisposeAsync();
            if (_proxy is not null)
            {
                await _proxy.DisposeAsync();
            }
        }
    }

    [Fact]
    public Task WhenOneNodeLosesRedisTheOtherSignalsThroughPostgreSqlAndItsCallsStillReachThatNodesPoll() => cluster.TestAsync(async () =>
    {
        var storing = cluster[1];
        var polled = cluster[2];
        var storingId = await NodeIdAsync(storing);
        var polledId = await NodeIdAsync(polled);
        await HearsRedisAsync(polledId, true);
        var platform = cluster.Platform(polled);
        var pending = await platform.PollAsync(0);
        while (pending.Instructions.Count > 0)
        {
            await platform.AcknowledgeAsync(pending.Instructions.Select(i => i.Seq));
            pending = await platform.PollAsync(pending.LastSeq);
        }

        cluster.Node2Redis.Cut();
        try
        {
            await HearsRedisAsync(polledId, false);
            // The storing node's next tick sees the lock gone.
            await Task.Delay(ClusterNode.TickInterval * 1.5);
            await using var notifications = await Notifications.ListenAsync(cluster.DatabaseConnectionString);
            var (op, call, batch) = await cluster.IntakeWhileAPollWaitsAsync(platform, storing, pending.LastSeq);
            var intakeXid = await cluster.ScalarAsync<long>("select xmin::text::bigint from calls where id = @id", new { id = call.CallId });
            Assert.Contains(notifications.From(storingId), p => p.Length == 3
                && (long)(ulong.Parse(p[2], CultureInfo.InvariantCulture) & 0xFFFFFFFF) == intakeXid
                && ((Signal)int.Parse(p[1], CultureInfo.InvariantCulture) & Signal.Instructions) != 0);
            await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
            await op.SetStatusAsync(OperatorStatuses.Offline);
        }
        finally
        {
            cluster.Node2Redis.Restore();
        }

        // Back on Redis: its lock again.
        await HearsRedisAsync(polledId, true);
    });

    private async Task HearsRedisAsync(long nodeId, bool hears) =>
        await ServiceCluster.EventuallyAsync(async () => await cluster.ScalarAsync<long>($"""
                select count(*) from pg_locks
                where locktype = 'advisory' and granted and objsubid = 2 and classid = {ClusterNode.RedisLockClass} and objid::bigint = @id
                  and database = (select oid from pg_database where datname = current_database())
                """, new { id = nodeId }) == (hears ? 1 : 0),
            TimeSpan.FromSeconds(30), $"node {nodeId} {(hears ? "holds" : "lets go of")} its lock: it hears Redis");

    private async Task<long> NodeIdAsync(ServiceNode node) =>
        (await cluster.QueryAsync<long>("select id from cluster_nodes where name = @name order by id desc limit 1", new { name = node.Name })).Single();
}
