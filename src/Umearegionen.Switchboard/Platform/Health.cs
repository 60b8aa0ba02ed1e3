using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Umearegionen.Switchboard.Platform;

public static class Health
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Readiness takes the node's own statement (its tick on its cluster connection, every second) as proof
    /// that PostgreSQL answers while that statement began less than this ago and succeeded; otherwise it asks
    /// with `select 1` (docs/decisions/0028). Two ticks: one late tick on a busy machine is not a query.
    /// </summary>
    internal static readonly TimeSpan AnsweredWithin = 2 * ClusterNode.TickInterval;

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddSingleton<HealthDataSource>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("postgresql", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(3));
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Ready: it can also reach its database (200 also when Degraded:
        // without Redis a node still serves its own clients; 503 without PostgreSQL).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
            {
                Predicate = c => c.Tags.Contains(ReadyTag),
                ResponseWriter = WriteReadinessAsync,
            })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The overall status, this node and whether it leads, and each check (docs/cluster.md).</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var node = context.RequestServices.GetRequiredService<ClusterNode>();
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            node = node.Name,
            leader = node.IsLeader,
            nodesAlive = node.NodesAlive,
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Readiness asks PostgreSQL on connections of its own: behind calls waiting for the busy pool, a load
    /// balancer's check would time out and take a node out for being busy, which makes the others busier
    /// (seen with two nodes at 150 calls/s: haproxy took both out).
    /// </summary>
    internal sealed class HealthDataSource(IConfiguration configuration) : IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DatabaseRegistration.ConnectionStringName))
            {
                MaxPoolSize = 2,
                MinPoolSize = 0,
                ApplicationName = "switchboard health",
                // The check only runs `select 1` and changes nothing of the session, so a connection
                // returned needs no reset: Npgsql's reset sent a `DISCARD ALL` before each check on a
                // reused connection, a transaction of its own every second per node for the load
                // balancer's check (docs/decisions/0025).
                NoResetOnClose = true,
            }.ConnectionString).Build();

        private long _asked;

        /// <summary>How many readiness checks asked PostgreSQL themselves (for tests).</summary>
        public long Asked => Interlocked.Read(ref _asked);

        public void Counted() => Interlocked.Increment(ref _asked);

        public void Dispose() => DataSource.Dispose();
    }

    private sealed class DatabaseHealthCheck(HealthDataSource health, ClusterNode node) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            // The node's tick answered a moment ago on its own connection: no statement of the check's own
            // (the load balancer checks every node every second: a commit each, docs/call-cost.md).
            if (node.AnsweredWithin(AnsweredWithin))
            {
                return HealthCheckResult.Healthy();
            }

            try
            {
                health.Counted();
                await using var command = health.DataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL is not reachable: " + ex.Message);
            }
        }
    }
}
