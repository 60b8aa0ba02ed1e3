namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// Says when in-memory copies of directory and opening-hours data may be stale. Scripts/Functions/directory_changed_notify.sql makes
/// every committed change to those tables, by whoever, notify channel <see cref="Channel"/>. The node's own
/// connection listens on it (<see cref="INodeChannel"/>, docs/decisions/0029): one listening connection per
/// node, since PostgreSQL wakes every listening connection for every notification. Each notification moves
/// <see cref="Generation"/> on, and so does each (re)connection, because notifications sent while nobody
/// listened are lost.
/// <para>
/// A copy is taken as: <c>var token = feed.Begin();</c>, then read from the database, then keep it
/// with the token. It is current while <see cref="IsCurrent"/> says so. While the node's connection is not
/// there (at start, or after PostgreSQL restarted), <see cref="Begin"/> gives null and nothing may
/// be kept: every read goes to the database.
/// </para>
/// </summary>
public sealed partial class DirectoryChangeFeed(ILogger<DirectoryChangeFeed> logger) : INodeChannel
{
    public const string Channel = "directory_changed";

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

    string INodeChannel.Channel => Channel;

    void INodeChannel.Heard(string payload) => Interlocked.Increment(ref _generation);

    /// <inheritdoc/>
    public void ListeningChanged(bool listening)
    {
        if (listening)
        {
            // Anything read before now may have missed a change made while nobody listened.
            Interlocked.Increment(ref _generation);
            _listening = true;
            _connected.TrySetResult();
            LogListening(logger);
            return;
        }

        _listening = false;
        Interlocked.Increment(ref _generation);
        if (_connected.Task.IsCompleted)
        {
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LogListenerLost(logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for directory and opening-hours changes; in-memory copies may be kept")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Lost the listener for directory changes (the node's connection); every read goes to the database until it is back")]
    private static partial void LogListenerLost(ILogger logger);
}
