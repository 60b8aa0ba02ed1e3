using System.Collections.Concurrent;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>Who receives the live snapshots: QueueChanged goes to operators and managers, ManagerViewChanged to managers.</summary>
public enum Audience
{
    None = 0,
    Queue = 1,
    QueueAndManagers = 2,
}

/// <summary>
/// The hub connections open on this node, so that the node can send their clients elsewhere: when it
/// stops (a restart, a rolling update) and when Redis comes back after an outage (docs/decisions/0003).
/// A connection is cut at its transport rather than closed by the hub: a close message from the server
/// tells a SignalR client not to reconnect, while a lost transport (WebSocket close code 1006) is what
/// automatic reconnect is for; the client then reaches a live node and calls Resync. A node of several
/// stops only after the load balancer has taken it out (<see cref="NodeDrain"/>), so the clients it cuts
/// reconnect to another node at their first try.
/// </summary>
public sealed partial class LocalHubConnections(IHostApplicationLifetime lifetime, ILogger<LocalHubConnections> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new();

    public void Opened(HubCallerContext connection) => _open[connection.ConnectionId] = connection;

    public void Closed(HubCallerContext connection) => _open.TryRemove(connection.ConnectionId, out _);

    /// <summary>The connections open on this node now.</summary>
    public IReadOnlyList<HubCallerContext> Open() => [.. _open.Values];

    /// <summary>Whether a connection open on this node now matches (without copying them all).</summary>
    public bool Any(Func<HubCallerContext, bool> match) => _open.Any(c => match(c.Value));

    /// <summary>
    /// Who on this node receives the live snapshots now: a manager or an administrator receives both, an
    /// operator the queue (docs/decisions/0024). The node tells the leader through its audience lock
    /// (<see cref="ClusterNode"/>, docs/decisions/0028).
    /// </summary>
    public Audience Watching() =>
        Any(c => c.User is { } u && (u.IsInRole(Roles.Manager) || u.IsInRole(Roles.Administrator))) ? Audience.QueueAndManagers
        : Any(c => c.User?.IsInRole(Roles.Operator) == true) ? Audience.Queue
        : Audience.None;

    /// <summary>Cuts every connection of this node; says how many.</summary>
    public int CutAll(string why)
    {
        var count = 0;
        foreach (var connection in _open.Values)
        {
            if (connection.GetHttpContext() is { } http)
            {
                http.Abort();
            }
            else
            {
                connection.Abort();
            }

            count++;
        }

        LogCut(logger, count, why);
        return count;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => CutAll("the node is stopping"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Cut {Count} hub connections ({Why}); their clients reconnect to a live node and resync")]
    private static partial void LogCut(ILogger logger, int count, string why);
}
