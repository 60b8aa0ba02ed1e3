using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using StackExchange.Redis;

namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// SignalR's Redis backplane (<see cref="RedisHubLifetimeManager{THub}"/>, unchanged) with this node's
/// own clients kept served while Redis is out of reach. Every connection and group is also registered
/// with SignalR's in-process manager (<see cref="DefaultHubLifetimeManager{THub}"/>); a send goes
/// through Redis, and when Redis cannot take it, to the clients on this node only. When Redis comes
/// back, events between nodes have been lost, so every connection on this node is cut
/// (<see cref="LocalHubConnections"/>): its client reconnects (through the load balancer, to any node)
/// and calls Resync, as after any reconnect (docs/hub.md).
/// </summary>
public sealed partial class BackplaneLifetimeManager<THub> : HubLifetimeManager<THub> where THub : Hub
{
    private readonly RedisHubLifetimeManager<THub> _redis;
    private readonly DefaultHubLifetimeManager<THub> _local;
    private readonly RedisBackplane _backplane;
    private readonly ILogger<BackplaneLifetimeManager<THub>> _logger;

    public BackplaneLifetimeManager(
        RedisHubLifetimeManager<THub> redis, DefaultHubLifetimeManager<THub> local, RedisBackplane backplane,
        LocalHubConnections connections, ILogger<BackplaneLifetimeManager<THub>> logger)
    {
        _redis = redis;
        _local = local;
        _backplane = backplane;
        _logger = logger;
        backplane.Restored += () => connections.CutAll("Redis is back");
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await _local.OnConnectedAsync(connection);
        await Backplane(() => _redis.OnConnectedAsync(connection), nameof(OnConnectedAsync));
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await _local.OnDisconnectedAsync(connection);
        await Backplane(() => _redis.OnDisconnectedAsync(connection), nameof(OnDisconnectedAsync));
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.AddToGroupAsync(connectionId, groupName, cancellationToken);
        await Backplane(() => _redis.AddToGroupAsync(connectionId, groupName, cancellationToken), nameof(AddToGroupAsync));
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        await Backplane(() => _redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken), nameof(RemoveFromGroupAsync));
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendAllAsync(methodName, args, cancellationToken), () => _local.SendAllAsync(methodName, args, cancellationToken));

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken),
            () => _local.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendConnectionAsync(connectionId, methodName, args, cancellationToken),
            () => _local.SendConnectionAsync(connectionId, methodName, args, cancellationToken));

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken),
            () => _local.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken));

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupAsync(groupName, methodName, args, cancellationToken),
            () => _local.SendGroupAsync(groupName, methodName, args, cancellationToken));

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupsAsync(groupNames, methodName, args, cancellationToken),
            () => _local.SendGroupsAsync(groupNames, methodName, args, cancellationToken));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken),
            () => _local.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendUserAsync(userId, methodName, args, cancellationToken),
            () => _local.SendUserAsync(userId, methodName, args, cancellationToken));

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendUsersAsync(userIds, methodName, args, cancellationToken),
            () => _local.SendUsersAsync(userIds, methodName, args, cancellationToken));

    /// <summary>
    /// Through Redis when it is there; to this node's clients when it is not, or does not answer (a Redis
    /// that hangs looks connected, and each send then gives up after the timeout).
    /// </summary>
    private async Task SendAsync(Func<Task> throughRedis, Func<Task> local)
    {
        if (_backplane.IsConnected)
        {
            try
            {
                await throughRedis();
                return;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                LogSendFailed(_logger, ex.GetType().Name);
            }
        }

        await local();
    }

    /// <summary>Registration with the backplane; without Redis the connection still works on this node.</summary>
    private async Task Backplane(Func<Task> register, string what)
    {
        try
        {
            await register();
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            LogRegistrationFailed(_logger, what, ex.GetType().Name);
        }
    }

    /// <summary>Redis failed or did not answer in time: RedisTimeoutException is a TimeoutException, not a RedisException.</summary>
    private static bool IsRedisFailure(Exception ex) => ex is RedisException or RedisTimeoutException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not take a live event ({Error}); it went to this node's clients only")]
    private static partial void LogSendFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not take {What} ({Error}); the connection is served by this node only until Redis is back")]
    private static partial void LogRegistrationFailed(ILogger logger, string what, string error);
}
