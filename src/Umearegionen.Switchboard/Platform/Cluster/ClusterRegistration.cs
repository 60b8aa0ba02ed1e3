using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Umearegionen.Switchboard.Platform.Cluster;

public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>The node's name in logs and readiness; by default the host's name and the process id.</summary>
    [Required, StringLength(100)]
    public string NodeName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How long a stopping node (SIGTERM) answers readiness with 503 before it stops and its clients move,
    /// while other nodes are alive: long enough for the load balancer to take it out (haproxy: two
    /// checks a second apart). Only with ConnectionStrings:Redis set.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan DrainOnStop { get; set; } = TimeSpan.FromSeconds(3);
}

public static class ClusterRegistration
{
    /// <summary>The connection string of the Redis server of SignalR's backplane; none for a single node.</summary>
    public const string RedisConnectionStringName = "Redis";

    /// <summary>
    /// The node's place among the others: registration, leadership and signals always (one node alone
    /// is simply always the leader); SignalR's Redis backplane when ConnectionStrings:Redis is set.
    /// </summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ClusterSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterSignals>());
        services.AddSingleton<ClusterNode>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        services.AddSingleton<LocalHubConnections>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalHubConnections>());
        services.AddSingleton<NodeDrain>();
        services.AddHealthChecks().AddCheck<NodeDrain.HealthCheck>("node", tags: [Health.ReadyTag]);

        var redis = builder.Configuration.GetConnectionString(RedisConnectionStringName);
        if (string.IsNullOrWhiteSpace(redis))
        {
            return builder;
        }

        // Nodes of one database share channels; another database on the same Redis (a test, a staging
        // copy) hears none of them.
        var database = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString(DatabaseRegistration.ConnectionStringName)).Database;
        services.AddSingleton(sp => new RedisBackplane(redis, sp.GetRequiredService<ILogger<RedisBackplane>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RedisBackplane>());
        // The nodes' signals through Redis while every node hears it there (docs/decisions/0030).
        services.AddSingleton(sp => new RedisSignals(
            sp.GetRequiredService<RedisBackplane>(), sp.GetRequiredService<ClusterSignals>(), database!, sp.GetRequiredService<ILogger<RedisSignals>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RedisSignals>());
        services.AddSignalR().AddStackExchangeRedis(o => o.Configuration.ChannelPrefix = RedisChannel.Literal($"switchboard:{database}"));
        services.AddOptions<RedisOptions>().Configure<RedisBackplane>((o, backplane) => o.ConnectionFactory = backplane.ConnectionAsync);
        services.AddSingleton(typeof(RedisHubLifetimeManager<>));
        services.AddSingleton(typeof(DefaultHubLifetimeManager<>));
        services.Replace(ServiceDescriptor.Singleton(typeof(HubLifetimeManager<>), typeof(BackplaneLifetimeManager<>)));
        services.AddHealthChecks().AddCheck<RedisBackplane.HealthCheck>("redis", tags: [Health.ReadyTag]);

        // A node of several drains before it stops (NodeDrain); one node alone stops as any console app.
        services.AddSingleton<IHostLifetime, DrainingLifetime>();
        return builder;
    }
}
