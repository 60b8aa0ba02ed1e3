using System.Collections.Concurrent;
using System.Globalization;
using ClusterNode = Umearegionen.Switchboard.Platform.Cluster.ClusterNode;
using StackExchange.Redis;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A plain Npgsql connection listening on the nodes' channel (<see cref="ClusterSignals.Channel"/>): what the
/// nodes notified on PostgreSQL while it listened, each payload split at ':'.
/// </summary>
public sealed class Notifications : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly ConcurrentQueue<string> _payloads = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _listening = Task.CompletedTask;

    private Notifications(NpgsqlConnection connection) => _connection = connection;

    public static async Task<Notifications> ListenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var notifications = new Notifications(connection);
        connection.Notification += (_, e) => notifications._payloads.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand($"listen {ClusterSignals.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync();
        }

        notifications._listening = Task.Run(notifications.WaitAsync);
        return notifications;
    }

    private async Task WaitAsync()
    {
        try
        {
            while (true)
            {
                await _connection.WaitAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A connection registered as a live node of a version before decision 0030: a row in cluster_nodes and the
    /// node's lock, no lock "I hear Redis"; it says Hello as a node does when it joins. The node is gone when
    /// the connection is disposed.
    /// </summary>
    public static async Task<NpgsqlConnection> OlderNodeAsync(string connectionString)
    {
        // Not pooled: the node, and its lock, end with the connection.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var register = new NpgsqlCommand($"""
            with node as (insert into cluster_nodes (name, started_at) values ('older version', now()) returning id)
            select pg_advisory_lock({ClusterNode.NodeLockClass}, id::int), pg_notify('{ClusterSignals.Channel}', id || ':{(int)Signal.Hello}') from node
            """, connection);
        await register.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>The notifications from node <paramref name="nodeId"/> so far.</summary>
    public IReadOnlyList<string[]> From(long nodeId) =>
        [.. _payloads.Select(p => p.Split(':')).Where(p => long.TryParse(p[0], CultureInfo.InvariantCulture, out var from) && from == nodeId)];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _listening;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>A subscriber on the nodes' Redis channel of signals (<c>switchboard:{database}:signals</c>).</summary>
public sealed class RedisMessages : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly ConcurrentQueue<string> _messages = new();

    private RedisMessages(ConnectionMultiplexer connection) => _connection = connection;

    public static async Task<RedisMessages> SubscribeAsync(ServiceCluster cluster)
    {
        var database = new NpgsqlConnectionStringBuilder(cluster.DatabaseConnectionString).Database;
        var connection = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var messages = new RedisMessages(connection);
        await connection.GetSubscriber().SubscribeAsync(
            RedisChannel.Literal($"switchboard:{database}:signals"), (_, message) => messages._messages.Enqueue(message.ToString()));
        return messages;
    }

    public IEnumerable<string> All => _messages;

    /// <summary>The messages from node <paramref name="nodeId"/> so far, each split at ':'.</summary>
    public IReadOnlyList<string[]> From(long nodeId) =>
        [.. _messages.Select(p => p.Split(':')).Where(p => long.TryParse(p[0], CultureInfo.InvariantCulture, out var from) && from == nodeId)];

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
