using System.Threading.Channels;
using Umearegionen.Switchboard.IntegrationTests.Routing;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// With several nodes the leader reads the live snapshots only while some node has someone to send them
/// to (docs/decisions/0028). Each node says so with one advisory lock of its own on its cluster
/// connection: (AudienceLockClass + audience, node id). The other node here is a connection of the test
/// that holds those locks and listens on the signals' channel, as a node does.
/// </summary>
public sealed class SnapshotAudienceTests(LiveApp app) : IClassFixture<LiveApp>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TheLeaderReadsSnapshotsOnlyWhileAnotherNodesLockSaysSomeoneWatchesAndAtOnceWhenItSaysSo()
    {
        await using var world = new RoutingDriver(app);
        var node = app.Service<ClusterNode>();
        var snapshots = app.Service<Umearegionen.Switchboard.Routing.LiveSnapshots>();
        await UntilAsync(() => node.IsLeader, "the app leads");
        await NoConnectionsAsync();
        await using var other = OtherNode();
        await other.OpenAsync();
        const int OtherId = 999_997;
        await other.ExecuteAsync("select pg_advisory_lock(@node, @id), pg_advisory_lock(@none, @id)",
            new { node = ClusterNode.NodeLockClass, none = ClusterNode.AudienceLockClass + (int)Audience.None, id = OtherId });
        await UntilAsync(() => node.NodesAlive == 2 && node.OthersWatching == Audience.None, "the leader sees the other node, watched by no one");

        // Two nodes, no one watching on either: a change is not read into a snapshot.
        await Task.Delay(Interval * 2);
        var (before, managerViews) = (snapshots.Computed, snapshots.ManagerViews);
        await world.CallAsync(RoutingDriver.Umea);
        await Task.Delay(Interval * 5);
        Assert.Equal(before, snapshots.Computed);

        // A manager connects on the other node: its lock moves, then it tells the leader (Watching). The
        // leader reads both snapshots at its next interval, well before its next tick of the cluster.
        await other.ExecuteAsync("select pg_advisory_lock(@managers, @id), pg_advisory_unlock(@none, @id), pg_notify(@channel, @payload)",
            new
            {
                managers = ClusterNode.AudienceLockClass + (int)Audience.QueueAndManagers, none = ClusterNode.AudienceLockClass + (int)Audience.None,
                id = OtherId, channel = ClusterSignals.Channel, payload = $"{OtherId}:{(int)Signal.Watching}",
            });
        await UntilAsync(() => snapshots.ManagerViews > managerViews, "the leader reads the manager's figures", TimeSpan.FromMilliseconds(900));
        Assert.Equal(Audience.QueueAndManagers, node.OthersWatching);

        // The manager leaves: the leader stops reading at its next tick.
        await other.ExecuteAsync("select pg_advisory_lock(@none, @id), pg_advisory_unlock(@managers, @id)",
            new { managers = ClusterNode.AudienceLockClass + (int)Audience.QueueAndManagers, none = ClusterNode.AudienceLockClass + (int)Audience.None, id = OtherId });
        await UntilAsync(() => node.OthersWatching == Audience.None, "the leader sees no one watching again");

        // A node that holds no audience lock runs a version before 0028: taken as watched by everyone.
        await other.ExecuteAsync("select pg_advisory_unlock(@none, @id)", new { none = ClusterNode.AudienceLockClass + (int)Audience.None, id = OtherId });
        await UntilAsync(() => node.OthersWatching == Audience.QueueAndManagers, "an older node is taken as watched");

        await other.CloseAsync();
        await UntilAsync(() => node.NodesAlive == 1, "the other node is gone");
    }

    [Fact]
    public async Task AFirstManagerOnANodeMovesItsAudienceLockAndTellsTheOtherNodesAtOnce()
    {
        var node = app.Service<ClusterNode>();
        await NoConnectionsAsync();
        await using var other = OtherNode();
        await other.OpenAsync();
        const int OtherId = 999_996;
        var heard = Channel.CreateUnbounded<string>();
        other.Notification += (_, e) => heard.Writer.TryWrite(e.Payload);
        await other.ExecuteAsync($"listen {ClusterSignals.Channel}; select pg_advisory_lock(@node, @id), pg_advisory_lock(@none, @id)",
            new { node = ClusterNode.NodeLockClass, none = ClusterNode.AudienceLockClass + (int)Audience.None, id = OtherId });
        await UntilAsync(() => node.NodesAlive == 2, "the app counts the other node");
        await UntilLockAsync(other, Audience.None, node.NodeId);

        await using var manager = app.HubConnection(await app.TokenForAsync(Roles.Manager));
        var watch = Stopwatch.StartNew();
        await manager.StartAsync();
        var started = watch.Elapsed;
        while (true)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "No Watching notification from the app's node.");
            if (heard.Reader.TryRead(out var payload))
            {
                var parts = payload.Split(':');
                if (parts[0] == node.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture) && (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) & (int)Signal.Watching) != 0)
                {
                    break;
                }

                continue;
            }

            await other.WaitAsync(TimeSpan.FromMilliseconds(50));
        }

        // The notification comes after the lock: the leader that counts on hearing it sees the manager.
        Assert.True(watch.Elapsed - started < TimeSpan.FromMilliseconds(900), $"Told only {watch.Elapsed - started} after the connection started ({started}).");
        Assert.Equal(1, await LocksAsync(other, Audience.QueueAndManagers, node.NodeId));
        Assert.Equal(0, await LocksAsync(other, Audience.None, node.NodeId));

        await manager.DisposeAsync();
        await UntilLockAsync(other, Audience.None, node.NodeId);

        await other.CloseAsync();
        await UntilAsync(() => node.NodesAlive == 1, "the other node is gone");
    }

    /// <summary>A connection of its own, not pooled: its locks go when it closes, as a node's do.</summary>
    private NpgsqlConnection OtherNode() =>
        new(new NpgsqlConnectionStringBuilder(app.DatabaseConnectionString) { Pooling = false }.ConnectionString);

    private static Task<int> LocksAsync(NpgsqlConnection conn, Audience audience, long nodeId) =>
        conn.ExecuteScalarAsync<int>(
            "select count(*)::int from pg_locks where locktype = 'advisory' and granted and objsubid = 2 and classid = @class::oid and objid = @id::oid and database = (select oid from pg_database where datname = current_database())",
            new { @class = (long)ClusterNode.AudienceLockClass + (int)audience, id = nodeId });

    private static async Task UntilLockAsync(NpgsqlConnection conn, Audience audience, long nodeId)
    {
        var watch = Stopwatch.StartNew();
        // Exactly that one: the tick takes the new lock and lets the old one go in one statement, but another
        // session may look between the two.
        while (await LocksAsync(conn, audience, nodeId) != 1
               || await conn.ExecuteScalarAsync<int>(
                   "select count(*)::int from pg_locks where locktype = 'advisory' and granted and objsubid = 2 and objid = @id::oid and classid::bigint between @first and @last and database = (select oid from pg_database where datname = current_database())",
                   new { id = nodeId, first = (long)ClusterNode.AudienceLockClass, last = (long)ClusterNode.AudienceLockClass + 2 }) != 1)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The node never held its {audience} lock.");
            await Task.Delay(50);
        }
    }

    /// <summary>Earlier tests' dashboards leave as their connections close on the server.</summary>
    private async Task NoConnectionsAsync()
    {
        var connections = app.Service<LocalHubConnections>();
        await UntilAsync(() => connections.Open().Count == 0, "earlier connections closed");
    }

    private static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < (within ?? TimeSpan.FromSeconds(10)), $"Not in time: {what}.");
            await Task.Delay(5);
        }
    }
}
