using System.Runtime.InteropServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// A node leaving the service in good order (SIGTERM, a rolling restart). While other nodes are alive it
/// first answers readiness with 503 for <see cref="ClusterOptions.DrainOnStop"/>, still serving, so that
/// the load balancer takes it out (haproxy: two failed checks a second apart); only then does it stop.
/// Stopping cuts its hub connections (<see cref="LocalHubConnections"/>), whose clients reconnect, by then
/// to a live node, and answers the platform's long polls. Alone, it stops at once: there is nowhere else
/// to send anyone.
/// </summary>
public sealed partial class NodeDrain(ClusterNode node, IOptions<ClusterOptions> options, IHostApplicationLifetime lifetime, ILogger<NodeDrain> logger)
{
    private int _leaving;

    /// <summary>Whether the node has begun to leave: readiness says so.</summary>
    public bool Draining => Volatile.Read(ref _leaving) != 0;

    /// <summary>Drains, then stops the host. A second call (a second signal) stops it at once.</summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _leaving, 1) != 0)
        {
            lifetime.StopApplication();
            return;
        }

        var others = node.NodesAlive - 1;
        if (others > 0 && options.Value.DrainOnStop > TimeSpan.Zero)
        {
            LogDraining(logger, node.Name, options.Value.DrainOnStop.TotalSeconds, others);
            // Transport timing, not domain time: the load balancer's checks run on the wall clock.
            await Task.WhenAny(Task.Delay(options.Value.DrainOnStop), WhenStoppingAsync());
        }

        lifetime.StopApplication();
    }

    private Task WhenStoppingAsync()
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        return stopping.Task;
    }

    /// <summary>Readiness: a node that is leaving is not ready.</summary>
    internal sealed class HealthCheck(NodeDrain drain) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(drain.Draining
                ? HealthCheckResult.Unhealthy("The node is stopping; the load balancer should send its traffic to the other nodes.")
                : HealthCheckResult.Healthy());
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Node {Node} is stopping: not ready for {Seconds} s so that the load balancer sends the traffic to the {Others} other node(s), then its clients move")]
    private static partial void LogDraining(ILogger logger, string node, double seconds, int others);
}

/// <summary>
/// The host's lifetime for a node of several (ConnectionStrings:Redis set): as the console lifetime, but
/// SIGTERM and SIGINT drain first (<see cref="NodeDrain"/>) instead of stopping the host at once. The
/// host's own stopping closes every hub connection and ends every long poll, and must not begin before
/// the load balancer has stopped sending the node new clients.
/// </summary>
internal sealed class DrainingLifetime(NodeDrain drain) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The process does not end here: the host ends it once it has stopped.
                context.Cancel = true;
                _ = drain.LeaveAsync();
            }));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
