using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>The backplane's one Redis connection, against a real redis-server.</summary>
public sealed class RedisBackplaneTests
{
    /// <summary>
    /// SignalR's RedisHubLifetimeManager owns the connection its ConnectionFactory gives it: its Dispose
    /// unsubscribes and then disposes it. The container disposed the backplane first (a second time, as
    /// a hosted service), and when the backplane disposed the connection too, the manager's unsubscribing
    /// threw ObjectDisposedException out of the host's disposal: about one graceful stop in four ended as
    /// a crash (exit code 134).
    /// </summary>
    [Fact]
    public async Task ConnectionHandedToSignalRIsLeftForSignalRToDispose()
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchboard-cluster-tests", "backplane-" + Guid.NewGuid().ToString("N")[..8]);
        await using (var redis = await RedisServer.StartAsync(directory))
        {
            var backplane = new RedisBackplane(redis.ConnectionString, NullLogger<RedisBackplane>.Instance);
            await backplane.StartAsync(CancellationToken.None);
            var connection = await backplane.ConnectionAsync(TextWriter.Null);
            var subscriber = connection.GetSubscriber();
            await subscriber.SubscribeAsync(RedisChannel.Literal("switchboard-test"), (_, _) => { });

            backplane.Dispose();

            Assert.True(connection.IsConnected, "The backplane disposed the connection SignalR's manager still owns.");
            await subscriber.PingAsync();
            // What the manager's Dispose then does.
            subscriber.UnsubscribeAll();
            connection.Dispose();
        }

        System.IO.Directory.Delete(directory, recursive: true);
    }
}
