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

    /// <summary>
    /// Someone on the sending node has begun to receive the live snapshots, and its audience lock says so:
    /// the leader counts the audiences now (docs/decisions/0028).
    /// </summary>
    Watching = 512,
}

/// <summary>
/// Wakes work on the other nodes (docs/decisions/0002, 0025, 0030). The state itself is always in
/// PostgreSQL; a signal only says "look now" to a loop that would otherwise wait for its next tick or
/// poll. Signals travel only while another node is alive, so a single node sends none. While this node
/// and every live peer hear Redis (<see cref="ViaRedis"/>) the sender publishes them there
/// (<see cref="RedisSignals"/>), and writes carry nothing; otherwise they travel as PostgreSQL
/// notifications on channel <see cref="Channel"/>. A write on the call path carries them in its
/// own transaction (<see cref="Carry"/>): the notification is delivered at that commit and costs no
/// transaction of its own. What no write carried within <see cref="Spacing"/> the sender sends, one
/// notification at a time. Each node hears them on its own connection (<see cref="ClusterNode"/>) and
/// runs the handlers features registered with <see cref="On"/>.
/// </summary>
public sealed partial class ClusterSignals(NpgsqlDataSource dataSource, ILogger<ClusterSignals> logger) : BackgroundService
{
    public const string Channel = "switchboard_signals";

    /// <summary>
    /// How long a signal no write carried waits for one before the sender sends it, and the least time
    /// between two of the sender's notifications: the signals raised meanwhile go together. At 75 calls/s
    /// a node raises a signal every 2 ms or so; each notification the sender sends is a transaction of its own.
    /// </summary>
    internal static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(3);

    /// <summary>
    /// <see cref="Signal.Live"/> goes at most this often: the leader sends snapshots at most every
    /// Routing:SnapshotInterval (300 ms) anyway, and every change of the queue raises it.
    /// </summary>
    internal static readonly TimeSpan LiveSpacing = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _send = new(0, 1);
    private readonly Dictionary<Signal, List<Action<ulong?>>> _handlers = [];
    private int _pending;
    private long _lastLive;

    // 1 while a write carries this node's notification: one at a time, so that notifying commits,
    // which PostgreSQL serialises, wait for at most one other per node (docs/decisions/0025).
    private int _carrying;
    private long _sentAlone;
    private long _carried;
    private long _sentOnRedis;

    /// <summary>Every signal: what runs when signals may have been lost (Redis back after a loss).</summary>
    internal const Signal Every = (Signal)((int)Signal.Watching * 2 - 1);

    /// <summary>Notifications the sender sent, each a transaction of its own. For tests and the load test's counts.</summary>
    internal long SentAlone => Interlocked.Read(ref _sentAlone);

    /// <summary>Notifications writes carried in their own transactions.</summary>
    internal long Carried => Interlocked.Read(ref _carried);

    /// <summary>Messages the sender published on Redis that every live node heard (no notification on PostgreSQL).</summary>
    internal long SentOnRedis => Interlocked.Read(ref _sentOnRedis);

    /// <summary>The signals over Redis, when ConnectionStrings:Redis is set (set by <see cref="RedisSignals"/> at its start).</summary>
    internal RedisSignals? Redis { get; set; }

    /// <summary>
    /// Whether every other live node says it hears the signals on Redis (its lock, kept by <see cref="ClusterNode"/>'s
    /// tick). False from a Hello until the next tick has counted the new node.
    /// </summary>
    internal volatile bool PeersHearRedis;

    /// <summary>How many nodes are alive, this one included, as the last tick counted them.</summary>
    internal volatile int NodesAlive;

    /// <summary>
    /// Whether the signals go through Redis now: another node is alive, this node hears Redis and every live peer
    /// does too. Writes then carry nothing (<see cref="Carry"/>).
    /// </summary>
    internal bool ViaRedis => PeersAlive && PeersHearRedis && Redis is { Hears: true };

    /// <summary>This node's id, once registered; a notification of its own is ignored.</summary>
    internal long NodeId { get; set; }

    /// <summary>Whether another node is alive to tell (kept by <see cref="ClusterNode"/>).</summary>
    internal volatile bool PeersAlive;

    /// <summary>Runs <paramref name="handler"/> when another node raises <paramref name="signal"/>. It must not block.</summary>
    public void On(Signal signal, Action handler) => On(signal, _ => handler());

    /// <summary>
    /// Runs <paramref name="handler"/> when another node raises <paramref name="signal"/>, with the id of
    /// the transaction whose commit delivered it (<c>pg_current_xact_id()</c>; null from a node that does
    /// not send it): a snapshot that sees that transaction committed sees everything the signal
    /// announces. It must not block.
    /// </summary>
    public void On(Signal signal, Action<ulong?> handler)
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

    /// <summary>
    /// Tells the other nodes, if there are any, unless <paramref name="carried"/> (a committed write)
    /// carried <paramref name="signal"/> already. Never blocks and never throws.
    /// </summary>
    public void Publish(Signal signal, SignalCarrier? carried = null)
    {
        if (!PeersAlive && signal != Signal.Hello)
        {
            return;
        }

        if (carried is not null)
        {
            signal &= ~carried.Sent;
            if (signal == Signal.None)
            {
                return;
            }
        }

        var before = Interlocked.Or(ref _pending, (int)signal);
        if ((before | (int)signal) != before)
        {
            WakeSender();
        }
    }

    // Already woken, the sender takes this signal with the others.
    private void WakeSender() => _send.Wake();

    /// <summary>
    /// A write that will tell the other nodes in its own transaction: it adds <see cref="SignalCarrier.Sql"/>
    /// to its statements, and after the commit passes the carrier to the features it wakes, so that they do
    /// not publish again what it carried. Besides its own signals it takes those pending on this node.
    /// Carries nothing (and the features publish as before) while this node is alone, while the signals go
    /// through Redis (<see cref="ViaRedis"/>), or while another write of this node carries a notification.
    /// Dispose it when the write is over: a write that did not commit gives back the signals it took.
    /// </summary>
    public SignalCarrier Carry()
    {
        if (!PeersAlive || NodeId == 0 || ViaRedis || Interlocked.CompareExchange(ref _carrying, 1, 0) != 0)
        {
            return SignalCarrier.Nothing;
        }

        var taken = Interlocked.Exchange(ref _pending, 0);
        return new SignalCarrier(this, NodeId, (Signal)taken);
    }

    internal void CarryEnded(SignalCarrier carrier, bool committed)
    {
        if (committed)
        {
            Interlocked.Increment(ref _carried);
        }
        else if (carrier.Taken != Signal.None)
        {
            // Not committed: nobody was told what the write took from the pending signals.
            Give(carrier.Taken);
        }

        Volatile.Write(ref _carrying, 0);
    }

    private void Give(Signal signals)
    {
        var before = Interlocked.Or(ref _pending, (int)signals);
        if ((before | (int)signals) != before)
        {
            WakeSender();
        }
    }

    /// <summary>
    /// A notification or a Redis message from another node (or this one's, ignored): <c>node:bits</c>, since 0025
    /// <c>node:bits:xid</c> on PostgreSQL (on Redis no write's transaction delivers it, so no xid, 0030).
    /// </summary>
    internal void Received(string payload)
    {
        var parts = payload.Split(':');
        ulong? xid = null;
        if (parts.Length is < 2 or > 3 || !long.TryParse(parts[0], out var from) || !int.TryParse(parts[1], out var bits)
            || (parts.Length == 3 && !TryXid(parts[2], out xid)))
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
            // Nor through Redis until the tick has seen whether it hears there.
            PeersHearRedis = false;
        }

        Deliver((Signal)bits, xid);
    }

    private static bool TryXid(string text, out ulong? xid)
    {
        var ok = ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value);
        xid = ok ? value : null;
        return ok;
    }

    /// <summary>Runs the handlers of every signal in <paramref name="signals"/>.</summary>
    internal void Deliver(Signal signals, ulong? xid = null)
    {
        List<Action<ulong?>> run = [];
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
                handler(xid);
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
            // A write within this time carries what is pending in its own transaction (Carry). A Hello
            // goes at once: the node has just joined and writes nothing yet. Through Redis no write
            // carries: it goes at once, and what is raised meanwhile goes with the next, Spacing later.
            if ((Volatile.Read(ref _pending) & (int)Signal.Hello) == 0 && !ViaRedis)
            {
                await Task.Delay(Spacing, stoppingToken);
            }

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
                // A Hello goes on PostgreSQL always: the others count this node only at their next tick.
                // A message fewer nodes heard than are alive (one lost its subscription just now) goes there too.
                if ((signals & (int)Signal.Hello) == 0 && ViaRedis && Redis is { } redis
                    && await redis.PublishAsync($"{NodeId}:{signals}", NodesAlive, stoppingToken))
                {
                    Interlocked.Increment(ref _sentOnRedis);
                    await Task.Delay(Spacing, stoppingToken);
                    continue;
                }

                // A notification is a hint, not a record: it need not wait for the log's flush to disk.
                // The transaction's own setting leaves every other commit as durable as before.
                // The transaction's id goes with it, as with a carried one (SignalCarrier.Sql).
                await using var command = dataSource.CreateCommand(
                    "select set_config('synchronous_commit', 'off', true), pg_notify(@channel, @payload || pg_current_xact_id()::text)");
                command.Parameters.AddWithValue("channel", Channel);
                command.Parameters.AddWithValue("payload", $"{NodeId}:{signals}:");
                await command.ExecuteNonQueryAsync(stoppingToken);
                Interlocked.Increment(ref _sentAlone);
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
