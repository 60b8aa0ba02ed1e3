using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// The one Redis connection of SignalR's backplane (Microsoft.AspNetCore.SignalR.StackExchangeRedis),
/// opened at start so that readiness can tell whether it is up. It never stops the service: with Redis
/// out of reach it keeps trying in the background, sends fail at once instead of queueing
/// (<see cref="BacklogPolicy.FailFast"/>), and <see cref="BackplaneLifetimeManager{THub}"/> delivers to
/// this node's own clients meanwhile.
/// </summary>
public sealed partial class RedisBackplane : IHostedService, IDisposable
{
    private readonly ConfigurationOptions _options;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private volatile bool _lost;
    private volatile bool _handedOver;

    public RedisBackplane(string configuration, ILogger<RedisBackplane> logger)
    {
        _logger = logger;
        _options = ConfigurationOptions.Parse(configuration);
        _options.AbortOnConnectFail = false;
        _options.BacklogPolicy = BacklogPolicy.FailFast;
        if (!configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            _options.ConnectTimeout = 2000;
        }

        if (!configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            _options.AsyncTimeout = 2000;
        }

        _connection = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>Raised when the connection comes back after it was lost: live events sent meanwhile between nodes are gone.</summary>
    public event Action? Restored;

    /// <summary>Raised when the subscriptions' connection is lost (or could not be made at start).</summary>
    public event Action? Lost;

    /// <summary>The connection, for this node's own use beside SignalR's (<see cref="RedisSignals"/>); SignalR owns it.</summary>
    internal Task<IConnectionMultiplexer> Connection => _connection.Value;

    /// <summary>The Redis servers, for messages (no password).</summary>
    public string Endpoints => string.Join(", ", _options.EndPoints.Select(e => e.ToString()));

    /// <summary>Whether live events reach the other nodes now.</summary>
    public bool IsConnected => _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully && _connection.Value.Result.IsConnected;

    /// <summary>
    /// For RedisOptions.ConnectionFactory: SignalR's backplane uses this connection, and from then on
    /// owns it (RedisHubLifetimeManager's Dispose unsubscribes, then disposes it).
    /// </summary>
    public Task<IConnectionMultiplexer> ConnectionAsync(TextWriter log)
    {
        _handedOver = true;
        return _connection.Value;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(_options);
        connection.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription && !_lost)
            {
                _lost = true;
                LogLost(_logger, Endpoints, e.FailureType);
                Lost?.Invoke();
            }
        };
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                _lost = false;
                LogRestored(_logger, Endpoints);
                Restored?.Invoke();
            }
        };
        if (!connection.IsConnected)
        {
            _lost = true;
            LogLost(_logger, Endpoints, ConnectionFailureType.UnableToConnect);
            Lost?.Invoke();
        }

        return connection;
    }

    public async Task StartAsync(CancellationToken cancellationToken) => await _connection.Value;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        // Once SignalR has the connection, it is SignalR's to dispose. Disposed here as well, it could go
        // first (the container disposes this object a second time as a hosted service, and that one
        // comes before the hub's manager), and the manager's unsubscribing then threw
        // ObjectDisposedException out of the host's disposal: a graceful stop ended as a crash.
        if (!_handedOver && _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            _connection.Value.Result.Dispose();
        }
    }

    /// <summary>Readiness: Degraded, not Unhealthy, without Redis; the node still serves its own clients.</summary>
    internal sealed class HealthCheck(RedisBackplane backplane) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(backplane.IsConnected
                ? HealthCheckResult.Healthy($"Redis at {backplane.Endpoints}")
                : HealthCheckResult.Degraded(
                    $"Redis at {backplane.Endpoints} is not reachable: live events reach only the clients connected to this node. " +
                    "Calls are still taken, offered and handled; clients catch up with Resync when Redis is back."));
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis at {Endpoints} is not reachable ({Failure}): live events reach only this node's clients until it is back")]
    private static partial void LogLost(ILogger logger, string endpoints, ConnectionFailureType failure);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Redis at {Endpoints} is back: this node's hub connections are closed so that their clients reconnect and resync")]
    private static partial void LogRestored(ILogger logger, string endpoints);
}
