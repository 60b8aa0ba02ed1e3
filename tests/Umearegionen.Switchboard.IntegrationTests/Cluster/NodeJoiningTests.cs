using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A node alone sends no signals; it counts the live nodes once a second. A node that joins says Hello
/// (docs/decisions/0002), so that the others tell it from then on, not from their next count: else what
/// they raise in between (an instruction for the platform's long poll on the new node, say) reaches it
/// only when the poll's wait runs out.
/// </summary>
public sealed class NodeJoiningTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task NodeStartsSignallingANodeThatSaysHelloBeforeItCountsItAlive()
    {
        var node = app.Service<ClusterNode>();
        var signals = app.Service<ClusterSignals>();
        await using var other = new NpgsqlConnection(app.DatabaseConnectionString);
        await other.OpenAsync();
        const int OtherId = 999_999;

        // A node lock held and let go: the node's counts see it come and go, so the count that saw it
        // go has just happened and the next is about a second away.
        await other.ExecuteAsync("select pg_advisory_lock(@node, @id)", new { node = ClusterNode.NodeLockClass, id = OtherId });
        await UntilAsync(() => node.NodesAlive == 2, "the node counts the other");
        await other.ExecuteAsync("select pg_advisory_unlock(@node, @id)", new { node = ClusterNode.NodeLockClass, id = OtherId });
        await UntilAsync(() => node.NodesAlive == 1 && !signals.PeersAlive, "the node counts itself alone again");

        // The other node says Hello (as a node does once registered).
        await other.ExecuteAsync("select pg_notify(@channel, @payload)", new { channel = ClusterSignals.Channel, payload = $"{OtherId}:{(int)Signal.Hello}" });

        await UntilAsync(() => signals.PeersAlive, "the node tells others after a Hello", TimeSpan.FromMilliseconds(700));
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
