using StackExchange.Redis;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// The nodes' signals over Redis pub/sub, on the backplane's one connection (docs/decisions/0030): with
/// several nodes every notification on PostgreSQL is a transaction in every listening node's backend, a
/// Redis message costs PostgreSQL nothing. The channel is <c>switchboard:{database}:signals</c>, beside
/// SignalR's, so that another database on the same Redis hears none. A message is a hint only, as a
/// notification is; this node uses Redis only while it hears it (<see cref="Hears"/>) and every live peer
/// says it does too (their locks, <see cref="ClusterNode"/>); otherwise <see cref="ClusterSignals"/> sends
/// through PostgreSQL as before.
/// </summary>
public sealed partial class RedisSignals(RedisBackplane backplane, ClusterSignals signals, string database, ILogger<RedisSignals> logger)
    : BackgroundService
{
    /// <summary>A publish that takes longer is given up, and its signals go through PostgreSQL (a hanging Redis).</summary>
    internal static readonly TimeSpan PublishTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly RedisChannel _channel = RedisChannel.Literal($"switchboard:{database}:signals");
    private ISubscriber? _subscriber;
    private volatile bool _subscribed;
    private volatile bool _lost;
    private volatile bool _suspect;

    /// <summary>
    /// Whether this node hears the signals on Redis now: subscribed, the subscription's connection up, and
    /// no publish failed since the connection last answered.
    /// </summary>
    public bool Hears => _subscribed && !_lost && !_suspect;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        signals.Redis = this;
        // The node's tick sees Hears change within AudienceCheck and moves its lock (ClusterNode).
        backplane.Lost += () => _lost = true;
        backplane.Restored += () =>
        {
            _lost = false;
            Heard();
        };
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes <paramref name="payload"/> (<c>node:bits</c>, no transaction id). True when at least
    /// <paramref name="listeners"/> subscribers took it (this node's own included); false when it failed,
    /// took too long or fewer heard it: then the caller sends it through PostgreSQL.
    /// </summary>
    internal async Task<bool> PublishAsync(string payload, int listeners, CancellationToken ct)
    {
        if (_subscriber is not { } subscriber || !Hears)
        {
            return false;
        }

        try
        {
            var received = await subscriber.PublishAsync(_channel, payload).WaitAsync(PublishTimeout, ct);
            return received >= listeners;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Until the connection answers again (ExecuteAsync), this node neither sends nor counts on
            // hearing through Redis; its lock goes at its next tick.
            _suspect = true;
            LogPublishFailed(logger, ex.GetType().Name);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_subscribed)
                {
                    var connection = await backplane.Connection;
                    var subscriber = connection.GetSubscriber();
                    await subscriber.SubscribeAsync(_channel, (_, message) => signals.Received(message.ToString()))
                        .WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                    _subscriber = subscriber;
                    _subscribed = true;
                    LogSubscribed(logger, _channel.ToString());
                }
                else if (_suspect && _subscriber is { } subscriber)
                {
                    // A ping on the subscription's own connection: answered, messages reach this node again.
                    await subscriber.PingAsync().WaitAsync(PublishTimeout, stoppingToken);
                    _suspect = false;
                    Heard();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Redis is out of reach: the signals go through PostgreSQL meanwhile.
                LogNotYet(logger, ex.GetType().Name);
            }

            try
            {
                // Transport timing, not domain time: the wall clock.
                await Task.Delay(CheckEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    // Back after a loss: signals sent meanwhile may be lost, so every handler runs once, as if each had come.
    private void Heard()
    {
        if (Hears)
        {
            LogHearsAgain(logger);
            signals.Deliver(ClusterSignals.Every);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signals between nodes: subscribed on Redis ({Channel})")]
    private static partial void LogSubscribed(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signals between nodes: Redis answers again; every signal's work runs once")]
    private static partial void LogHearsAgain(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signals between nodes: publishing on Redis failed ({Failure}); they go through PostgreSQL until it answers")]
    private static partial void LogPublishFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Signals between nodes: not yet subscribed on Redis ({Failure})")]
    private static partial void LogNotYet(ILogger logger, string failure);
}
