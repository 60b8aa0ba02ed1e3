using System.Diagnostics;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>What one node tells the others: each names work that may be waiting on another node.</summary>
[Flags]
public enum Signal
{
    None = 0,

    /// <summary>A call may be waiting: the leader's dispatcher should run a round.</summary>
    Dispatch = 1,

    /// <summary>An operator finished a call: worth a round only if the last round left calls waiting.</summary>
    OperatorFreed = 2,

    /// <summary>Instructions for the telephony platform are stored: every node's long polls read again.</summary>
    Instructions = 4,

    /// <summary>The queue or the operators changed: the leader sends the next live snapshots.</summary>
    Live = 8,

    /// <summary>A message waits to be e-mailed: the leader's sender looks now rather than at its next tick.</summary>
    Messages = 16,

    /// <summary>Disruption notices were published or withdrawn: every node reloads its copy.</summary>
    Notices = 32,

    /// <summary>A node has joined: the others start telling it.</summary>
    Hello = 64,

    /// <summary>An account's sessions ended (disabled, password set, role changed): every node forgets what it read of accounts and checks its hub connections.</summary>
    SessionsEnded = 128,

    /// <summary>A link waits to be sent to a caller (Guidance): the leader's guidance sender looks now.</summary>
    Guidance = 256,
}

/// <summary>
/// Wakes work on the other nodes (docs/decisions/0002). The state itself is always in
/// PostgreSQL; a signal only says "look now" to a loop that would otherwise wait for its next tick or
/// poll. Signals travel as PostgreSQL notifications on channel <see cref="Channel"/>: a node sends at
/// most one notification at a time, carrying every signal raised since its last one, and only while
/// another node is alive, so a single node sends none. Each node hears them on its own connection
/// (<see cref="ClusterNode"/>) and runs the handlers features registered with <see cref="On"/>.
/// </summary>
public sealed partial class ClusterSignals(NpgsqlDataSource dataSource, ILogger<ClusterSignals> logger) : BackgroundService
{
    public const string Channel = "switchboard_signals";

    /// <summary>
    /// Least time between two notifications of a node: the signals raised meanwhile go together. At 75
    /// calls/s a node raises a signal every 2 ms or so; each notification is a transaction of its own.
    /// </summary>
    internal static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(3);

    /// <summary>
    /// <see cref="Signal.Live"/> goes at most this often: the leader sends snapshots at most every
    /// Routing:SnapshotInterval (300 ms) anyway, and every change of the queue raises it.
    /// </summary>
    internal static readonly TimeSpan LiveSpacing = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _send = new(0, 1);
    private readonly Dictionary<Signal, List<Action>> _handlers = [];
    private int _pending;
    private long _lastLive;

    /// <summary>This node's id, once registered; a notification of its own is ignored.</summary>
    internal long NodeId { get; set; }

    /// <summary>Whether another node is alive to tell (kept by <see cref="ClusterNode"/>).</summary>
    internal volatile bool PeersAlive;

    /// <summary>Runs <paramref name="handler"/> when another node raises <paramref name="signal"/>. It must not block.</summary>
    public void On(Signal signal, Action handler)
    {
        lock (_handlers)
        {
            if (!_handlers.TryGetValue(signal, out var list))
            {
                _handlers[signal] = list = [];
            }

            list.Add(handler);
        }
    }

    /// <summary>Tells the other nodes, if there are any. Never blocks and never throws.</summary>
    public void Publish(Signal signal)
    {
        if (!PeersAlive && signal != Signal.Hello)
        {
            return;
        }

        var before = Interlocked.Or(ref _pending, (int)signal);
        if ((before | (int)signal) != before)
        {
            WakeSender();
        }
    }

    // Already woken, the sender takes this signal with the others.
    private void WakeSender() => _send.Wake();

    /// <summary>A notification from another node (or this one's, ignored).</summary>
    internal void Received(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[0], out var from) || !int.TryParse(parts[1], out var bits))
        {
            LogMalformed(logger, payload.Length);
            return;
        }

        if (from == NodeId)
        {
            return;
        }

        // A node that has just joined: tell it from now on, not from this node's next count of the live
        // nodes (up to a second later), which would lose what is raised in between.
        if (((Signal)bits & Signal.Hello) != 0)
        {
            PeersAlive = true;
        }

        Deliver((Signal)bits);
    }

    /// <summary>Runs the handlers of every signal in <paramref name="signals"/>.</summary>
    internal void Deliver(Signal signals)
    {
        List<Action> run = [];
        lock (_handlers)
        {
            foreach (var (signal, handlers) in _handlers)
            {
                if ((signals & signal) != 0)
                {
                    run.AddRange(handlers);
                }
            }
        }

        foreach (var handler in run)
        {
            try
            {
                handler();
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex, signals);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _send.WaitAsync(stoppingToken);
            var signals = Interlocked.Exchange(ref _pending, 0);
            if ((signals & (int)Signal.Live) != 0)
            {
                var wait = LiveSpacing - Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastLive));
                if (wait > TimeSpan.Zero)
                {
                    // Too soon for another: it goes with a later notification, at the latest when it is due.
                    signals &= ~(int)Signal.Live;
                    Interlocked.Or(ref _pending, (int)Signal.Live);
                    _ = WakeSenderAfterAsync(wait, stoppingToken);
                }
                else
                {
                    Interlocked.Exchange(ref _lastLive, Stopwatch.GetTimestamp());
                }
            }

            if (signals == 0)
            {
                continue;
            }

            try
            {
                // A notification is a hint, not a record: it need not wait for the log's flush to disk.
                // The transaction's own setting leaves every other commit as durable as before.
                await using var command = dataSource.CreateCommand(
                    "select set_config('synchronous_commit', 'off', true), pg_notify(@channel, @payload)");
                command.Parameters.AddWithValue("channel", Channel);
                command.Parameters.AddWithValue("payload", $"{NodeId}:{signals}");
                await command.ExecuteNonQueryAsync(stoppingToken);
                await Task.Delay(Spacing, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The other nodes' loops still run on their own ticks (the sweeper wakes the dispatcher every
                // second while calls wait; a long poll reads again within a second and returns within its wait), so a lost signal delays work, never loses it.
                LogSendFailed(logger, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
            }
        }
    }

    private async Task WakeSenderAfterAsync(TimeSpan wait, CancellationToken ct)
    {
        try
        {
            // Transport timing, not domain time: the wall clock.
            await Task.Delay(wait, ct);
            WakeSender();
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes; they find the work on their next tick")]
    private static partial void LogSendFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A signal handler failed for {Signals}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception ex, Signal signals);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed cluster notification ({Length} characters)")]
    private static partial void LogMalformed(ILogger logger, int length);
}
