using System.Diagnostics;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// This process as one node of the service (docs/decisions/0001, 0004). On a connection of
/// its own, outside the pool, it
/// <list type="bullet">
/// <item>registers the node (a row in cluster_nodes) and holds an advisory lock on the row's id for as
/// long as it runs, which tells every other node that it is alive;</item>
/// <item>tries every second to take the leader's advisory lock; the node holding it runs the work that
/// must happen once (<see cref="RunWhileLeaderAsync"/>). PostgreSQL releases both locks when the
/// connection ends: at once when the process dies, and when the node is cut off, within the session's
/// keepalive and idle limits (about ten seconds). The node itself steps down as soon as a statement on
/// the connection fails or takes longer than <see cref="StatementTimeout"/>, before the server can give
/// the lock to another;</item>
/// <item>listens for the other nodes' signals (<see cref="ClusterSignals"/>), and for the features'
/// own channels (<see cref="INodeChannel"/>: the directory's changes), so that the node is one listening
/// connection, not one per feature (docs/decisions/0029);</item>
/// <item>holds one advisory lock that says who on this node receives the live snapshots
/// (<see cref="AudienceLockClass"/>), so that the leader reads them only while some node has someone to
/// send them to (docs/decisions/0028);</item>
/// <item>holds an advisory lock while it hears the signals on Redis (<see cref="RedisLockClass"/>), and tells
/// <see cref="ClusterSignals"/> whether every other live node holds one, so that the signals go through Redis
/// only while everyone hears them there (docs/decisions/0030).</item>
/// </list>
/// Its statements also tell readiness that the database answers (<see cref="AnsweredWithin"/>).
/// Correctness never rests on the lock alone: every step of a call is a conditional statement that a
/// stale leader cannot repeat (docs/architecture.md).
/// </summary>
public sealed partial class ClusterNode(
    IConfiguration configuration, IOptions<ClusterOptions> options, ClusterSignals signals, TimeProvider clock,
    LocalHubConnections connections, IEnumerable<INodeChannel> channels, ILogger<ClusterNode> logger) : BackgroundService
{
    private readonly INodeChannel[] _channels = ValidChannels(channels);
    private bool _channelsListening;

    /// <summary>Advisory lock of the leader: (LeaderLockClass, 1).</summary>
    internal const int LeaderLockClass = 7_401_001;

    /// <summary>Advisory lock of each live node: (NodeLockClass, cluster_nodes.id).</summary>
    internal const int NodeLockClass = 7_401_002;

    /// <summary>
    /// Advisory locks of each node's audience: (AudienceLockClass + <see cref="Audience"/>, cluster_nodes.id).
    /// A node holds exactly one of the three from its registration on; one holding none runs a version
    /// before decision 0028, and the leader takes it as watched by everyone.
    /// </summary>
    internal const int AudienceLockClass = 7_401_010;

    /// <summary>
    /// Advisory lock of each node that hears the signals on Redis: (RedisLockClass, cluster_nodes.id), held while
    /// its subscription is up. A node without it (Redis lost, or a version before decision 0030) makes the others
    /// send their signals through PostgreSQL.
    /// </summary>
    internal const int RedisLockClass = 7_401_020;

    /// <summary>How often the node looks whether someone new on it receives the live snapshots (local work only).</summary>
    internal static readonly TimeSpan AudienceCheck = TimeSpan.FromMilliseconds(100);

    /// <summary>The nodes whose lock nobody holds any more: gone, whatever their row says.</summary>
    internal static readonly string GoneNodesSql = $"""
        select n.id from cluster_nodes n
        where not exists (select 1 from pg_locks l
                          where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                            and l.database = (select oid from pg_database where datname = current_database())
                            and l.classid = {NodeLockClass} and l.objid = n.id::oid)
        """;

    /// <summary>How often the node checks its connection and, when not leader, tries for the lock.</summary>
    internal static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    /// <summary>A statement on the node's connection that takes longer means the database is out of reach.</summary>
    internal static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly List<Func<long, CancellationToken, Task>> _onRegistered = [];
    private NpgsqlConnection? _connection;
    private CancellationTokenSource? _term;
    private TaskCompletionSource _becameLeader = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastTick;
    private long _answered;
    private int _tickSoon;
    private Audience _held;
    private bool _hearsRedisHeld;
    private volatile Audience _others = Audience.QueueAndManagers;

    /// <summary>The node's name in logs and readiness.</summary>
    public string Name => options.Value.NodeName;

    /// <summary>The node's id while registered (0 before the first registration); a new id after each re-registration.</summary>
    public long NodeId { get; private set; }

    /// <summary>Whether this node holds the leader's lock now.</summary>
    public bool IsLeader => Volatile.Read(ref _term) is not null;

    /// <summary>How many nodes are alive, this one included, as last seen.</summary>
    public int NodesAlive { get; private set; }

    /// <summary>
    /// Who receives the live snapshots on the other live nodes, as last seen: the highest audience their
    /// locks say, and everyone while a node holds none (a version before docs/decisions/0028).
    /// </summary>
    public Audience OthersWatching => _others;

    /// <summary>
    /// Whether a statement on the node's own connection began less than <paramref name="age"/> ago and
    /// succeeded: the database answered then. False while the node has no connection.
    /// </summary>
    public bool AnsweredWithin(TimeSpan age)
    {
        var answered = Interlocked.Read(ref _answered);
        return answered != 0 && Stopwatch.GetElapsedTime(answered) < age;
    }

    /// <summary>
    /// Runs after each registration (the first and every one after the connection was lost), with the new
    /// node id, before the node tries to lead: a feature puts back what it keeps per node in the database.
    /// </summary>
    public void OnRegistered(Func<long, CancellationToken, Task> handler)
    {
        lock (_gate)
        {
            _onRegistered.Add(handler);
        }
    }

    /// <summary>
    /// Runs <paramref name="lead"/> whenever this node is the leader, with a token that is cancelled when
    /// it stops being leader (or the service stops); waits for the next term in between. For the
    /// background loops that must run on one node only.
    /// </summary>
    public async Task RunWhileLeaderAsync(Func<CancellationToken, Task> lead, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var term = await NextTermAsync(stoppingToken);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(term, stoppingToken);
            try
            {
                await lead(linked.Token);
                // A loop that ended on its own waits for the term to end before it is run again.
                await Task.Delay(Timeout.Infinite, linked.Token);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                // The term ended (or the service stops): wait for the next one.
            }
            catch (Exception ex)
            {
                LogLeaderWorkFailed(logger, ex);
                await Task.Delay(RetryAfter, stoppingToken);
            }
        }
    }

    private async Task<CancellationToken> NextTermAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            Task became;
            lock (_gate)
            {
                if (_term is { } term)
                {
                    return term.Token;
                }

                became = _becameLeader.Task;
            }

            await became.WaitAsync(stoppingToken);
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Someone on another node has begun to watch: count the audiences now, not at the next tick.
        signals.On(Signal.Watching, () => Volatile.Write(ref _tickSoon, 1));

        // Registered and, alone, leader before the server takes its first request.
        try
        {
            await RegisterAsync(cancellationToken);
            await TickAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The loop registers again once the database answers.
            await LoseAsync(ex);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_connection is null)
                {
                    await RegisterAsync(stoppingToken);
                    await TickAsync(stoppingToken);
                }

                // Notifications arrive here (the connection's Notification event) while it waits.
                // At least a few milliseconds: Npgsql counts the wait in whole milliseconds, and 0 waits forever.
                // The wait is cut into AudienceCheck slices so that a first operator or manager on this node
                // is told to the leader at once (the lock, then Watching), not at the next tick.
                var untilTick = TickInterval - Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTick));
                if (untilTick >= TimeSpan.FromMilliseconds(5) && Volatile.Read(ref _tickSoon) == 0 && connections.Watching() <= _held
                    && HearsRedis == _hearsRedisHeld)
                {
                    await _connection!.WaitAsync(untilTick < AudienceCheck ? untilTick : AudienceCheck, stoppingToken);
                }
                else
                {
                    await TickAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                await LoseAsync(ex);
                try
                {
                    // Transport timing, not domain time: the wall clock.
                    await Task.Delay(RetryAfter, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await LoseAsync(null);
    }

    private async Task RegisterAsync(CancellationToken ct)
    {
        var csb = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DatabaseRegistration.ConnectionStringName))
        {
            // Its own connection, closed for good when the node lets go: the locks live and die with it.
            Pooling = false,
            ApplicationName = $"switchboard node {Name}",
            CommandTimeout = (int)StatementTimeout.TotalSeconds,
            Timeout = 5,
        };
        var conn = new NpgsqlConnection(csb.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            conn.Notification += (_, e) =>
            {
                if (e.Channel == ClusterSignals.Channel)
                {
                    signals.Received(e.Payload);
                    return;
                }

                foreach (var channel in _channels)
                {
                    if (channel.Channel == e.Channel)
                    {
                        channel.Heard(e.Payload);
                    }
                }
            };

            // The server ends the session, and so frees the node's locks, when it hears nothing for ten
            // seconds (the node runs a statement every second) or its TCP peer stops answering.
            var sql = $"""
                set idle_session_timeout = '10s';
                set tcp_keepalives_idle = 3;
                set tcp_keepalives_interval = 1;
                set tcp_keepalives_count = 3;
                listen {ClusterSignals.Channel};
                {string.Concat(_channels.Select(c => $"listen {c.Channel};\n"))}insert into cluster_nodes (name, started_at) values (@name, @now) returning id;
                """;
            long id;
            await using (var register = new NpgsqlCommand(sql, conn))
            {
                register.Parameters.AddWithValue("name", Name);
                register.Parameters.AddWithValue("now", clock.GetUtcNow());
                id = (long)(await register.ExecuteScalarAsync(ct))!;
            }

            var watching = connections.Watching();
            await using (var hold = new NpgsqlCommand(
                $"select pg_advisory_lock({NodeLockClass}, @id), pg_advisory_lock({AudienceLockClass} + @audience, @id)", conn))
            {
                hold.Parameters.AddWithValue("id", checked((int)id));
                hold.Parameters.AddWithValue("audience", (int)watching);
                await hold.ExecuteNonQueryAsync(ct);
            }

            _held = watching;
            _hearsRedisHeld = false;
            Interlocked.Exchange(ref _answered, Stopwatch.GetTimestamp());

            NodeId = id;
            signals.NodeId = id;
            _connection = conn;
            ChannelsListening(true);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }

        LogRegistered(logger, Name, NodeId);
        List<Func<long, CancellationToken, Task>> handlers;
        lock (_gate)
        {
            handlers = [.. _onRegistered];
        }

        foreach (var handler in handlers)
        {
            await handler(NodeId, ct);
        }

        signals.Publish(Signal.Hello);
    }

    /// <summary>
    /// Checks the connection, counts the live nodes and the other nodes' audiences, moves this node's
    /// audience lock when its audience changed and, when not leader, tries for the lock.
    /// </summary>
    private async Task TickAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _tickSoon, 0);
        var started = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastTick, started);
        var leading = IsLeader;
        var (held, watching) = (_held, connections.Watching());
        // The new audience's lock first, then the old one let go: another node never sees this one with none.
        var move = watching == held ? "" : $", pg_try_advisory_lock({AudienceLockClass + (int)watching}, {NodeId}) as took, "
            + $"pg_advisory_unlock({AudienceLockClass + (int)held}, {NodeId}) as let_go";
        // Taken before the others count on it, let go before this node stops hearing for long: the subscription
        // was up (or down) when the tick began.
        var hearsRedis = HearsRedis;
        var redis = hearsRedis == _hearsRedisHeld ? ""
            : hearsRedis ? $", pg_try_advisory_lock({RedisLockClass}, {NodeId}) as hears" : $", pg_advisory_unlock({RedisLockClass}, {NodeId}) as deaf";
        var sql = $"""
            select {(leading ? "true" : $"pg_try_advisory_lock({LeaderLockClass}, 1)")} as leader, l.nodes, l.others, l.deaf{move}{redis}
            from (select (count(*) filter (where classid = {NodeLockClass}))::int as nodes,
                         (count(*) filter (where classid = {NodeLockClass} and objid <> {NodeId})
                          - count(*) filter (where classid = {RedisLockClass} and objid <> {NodeId}))::int as deaf,
                         case when count(*) filter (where classid = {NodeLockClass} and objid <> {NodeId})
                                   > count(distinct objid) filter (where classid not in ({NodeLockClass}, {RedisLockClass}) and objid <> {NodeId})
                              then {(int)Audience.QueueAndManagers}
                              else coalesce(max(classid::bigint - {AudienceLockClass}) filter (where classid not in ({NodeLockClass}, {RedisLockClass}) and objid <> {NodeId}), 0)::int
                         end as others
                  from pg_locks
                  where locktype = 'advisory' and granted and objsubid = 2
                    and classid::bigint in ({NodeLockClass}, {AudienceLockClass}, {AudienceLockClass + 1}, {AudienceLockClass + 2}, {RedisLockClass})
                    and database = (select oid from pg_database where datname = current_database())) l
            """;
        await using var command = new NpgsqlCommand(sql, _connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var leader = reader.GetBoolean(0);
        NodesAlive = reader.GetInt32(1);
        _others = (Audience)reader.GetInt32(2);
        var deaf = reader.GetInt32(3);
        _held = watching;
        _hearsRedisHeld = hearsRedis;
        Interlocked.Exchange(ref _answered, started);
        signals.NodesAlive = NodesAlive;
        signals.PeersHearRedis = deaf <= 0;
        signals.PeersAlive = NodesAlive > 1;
        if (watching > held)
        {
            // The leader looks at the audiences now (one notification, sent only while other nodes live).
            signals.Publish(Signal.Watching);
        }

        if (leader && !leading)
        {
            lock (_gate)
            {
                _term = new CancellationTokenSource();
                _becameLeader.TrySetResult();
            }

            LogLeading(logger, Name, NodesAlive);
        }
    }

    // Whether this node hears the signals on Redis now (never without ConnectionStrings:Redis).
    private bool HearsRedis => signals.Redis is { Hears: true };

    /// <summary>The connection failed or the node stops: step down at once and let the locks go.</summary>
    private async Task LoseAsync(Exception? ex)
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            _term = null;
            if (_becameLeader.Task.IsCompleted)
            {
                _becameLeader = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (term is not null)
        {
            await term.CancelAsync();
            term.Dispose();
            if (ex is not null)
            {
                LogLeadershipLost(logger, ex, Name);
            }
        }
        else if (ex is not null)
        {
            LogConnectionLost(logger, ex, Name, RetryAfter.TotalSeconds);
        }

        signals.PeersAlive = false;
        signals.PeersHearRedis = false;
        _hearsRedisHeld = false;
        Interlocked.Exchange(ref _answered, 0);
        ChannelsListening(false);
        if (_connection is { } conn)
        {
            _connection = null;
            try
            {
                await conn.DisposeAsync();
            }
            catch (Exception)
            {
                // Broken already: closing it is all that was wanted.
            }
        }
    }

    // Told once per change: the features' channels listen exactly while the node's connection does.
    private void ChannelsListening(bool listening)
    {
        if (_channelsListening == listening)
        {
            return;
        }

        _channelsListening = listening;
        foreach (var channel in _channels)
        {
            channel.ListeningChanged(listening);
        }
    }

    private static INodeChannel[] ValidChannels(IEnumerable<INodeChannel> channels)
    {
        var all = channels.ToArray();
        foreach (var channel in all)
        {
            // Spliced into LISTEN: a plain lower-case identifier only, and never the nodes' own.
            if (channel.Channel == ClusterSignals.Channel
                || !System.Text.RegularExpressions.Regex.IsMatch(channel.Channel, "^[a-z_][a-z0-9_]{0,62}$"))
            {
                throw new ArgumentException($"'{channel.Channel}' cannot be a node channel: a plain lower-case SQL identifier other than {ClusterSignals.Channel} is needed.", nameof(channels));
            }
        }

        return all;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} registered as node {NodeId}")]
    private static partial void LogRegistered(ILogger logger, string node, long nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} leads: it runs the dispatcher, sweeper, flushes and outboxes ({Nodes} nodes alive)")]
    private static partial void LogLeading(ILogger logger, string node, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} lost the database connection that held its leadership; it stepped down and will try again")]
    private static partial void LogLeadershipLost(ILogger logger, Exception ex, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} lost its cluster connection; registering again in {Seconds} s")]
    private static partial void LogConnectionLost(ILogger logger, Exception ex, string node, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work of the leader failed; it starts again in a second")]
    private static partial void LogLeaderWorkFailed(ILogger logger, Exception ex);
}
