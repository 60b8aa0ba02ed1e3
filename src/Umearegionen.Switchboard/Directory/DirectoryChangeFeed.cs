namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// Says when in-memory copies of directory and opening-hours data may be stale. Scripts/Functions/directory_changed_notify.sql makes
/// every committed change to those tables, by whoever, notify channel <see cref="Channel"/>. This
/// service listens on one connection of its own. Each notification moves <see cref="Generation"/> on,
/// and so does each (re)connection, because notifications sent while nobody listened are lost.
/// <para>
/// A copy is taken as: <c>var token = feed.Begin();</c>, then read from the database, then keep it
/// with the token. It is current while <see cref="IsCurrent"/> says so. While the listener is not
/// connected (at start, or after PostgreSQL restarted), <see cref="Begin"/> gives null and nothing may
/// be kept: every read goes to the database.
/// </para>
/// </summary>
public sealed partial class DirectoryChangeFeed(NpgsqlDataSource dataSource, ILogger<DirectoryChangeFeed> logger)
    : BackgroundService
{
    public const string Channel = "directory_changed";

    /// <summary>How long the listener waits for a notification before it checks that its connection still works.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private long _generation;
    private volatile bool _listening;

    /// <summary>Moves on with every change and every (re)connection of the listener.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Whether the listener is connected, so that a change would be heard.</summary>
    public bool Listening => _listening;

    /// <summary>The token for a copy about to be read; null when no copy may be kept now.</summary>
    public long? Begin() => _listening ? Generation : null;

    /// <summary>Whether a copy read after <see cref="Begin"/> gave <paramref name="token"/> is still current.</summary>
    public bool IsCurrent(long token) => _listening && Generation == token;

    /// <summary>
    /// A change this instance has just committed: copies are dropped at once rather than when the
    /// notification comes back a moment later, so a user's next read after their own save sees it.
    /// </summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    /// <summary>Completes once the listener is connected (tests; a copy kept before that would not be kept anyway).</summary>
    public Task Connected => _connected.Task;

    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenerLost(logger, ex, RetryAfter.TotalSeconds);
            }

            try
            {
                // Transport timing, not domain time: the wall clock.
                await Task.Delay(RetryAfter, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var conn = await dataSource.OpenConnectionAsync(ct);
        try
        {
            conn.Notification += (_, _) => Interlocked.Increment(ref _generation);
            await using (var listen = new NpgsqlCommand($"listen {Channel}", conn))
            {
                await listen.ExecuteNonQueryAsync(ct);
            }

            // Anything read before now may have missed a change made while nobody listened.
            Interlocked.Increment(ref _generation);
            _listening = true;
            _connected.TrySetResult();
            LogListening(logger);
            while (true)
            {
                if (!await conn.WaitAsync(Heartbeat, ct))
                {
                    // Quiet for a while: make sure the connection is still there (a dead one throws).
                    // Listening again changes nothing and keeps the connection recognisable in pg_stat_activity.
                    await using var ping = new NpgsqlCommand($"listen {Channel}", conn);
                    await ping.ExecuteNonQueryAsync(ct);
                }
            }
        }
        finally
        {
            _listening = false;
            Interlocked.Increment(ref _generation);
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await ReturnAsync(conn);
        }
    }

    /// <summary>Pooled connections keep session state (No Reset On Close): stop listening before this one goes back.</summary>
    private static async Task ReturnAsync(NpgsqlConnection conn)
    {
        try
        {
            if (conn.State == System.Data.ConnectionState.Open)
            {
                await using var unlisten = new NpgsqlCommand("unlisten *", conn);
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception)
        {
            // A broken connection is not reused by the pool.
        }

        await conn.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for directory and opening-hours changes; in-memory copies may be kept")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Lost the listener for directory changes; every read goes to the database until it is back (retry in {Seconds} s)")]
    private static partial void LogListenerLost(ILogger logger, Exception ex, double seconds);
}
