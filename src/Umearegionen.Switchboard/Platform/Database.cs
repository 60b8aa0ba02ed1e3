namespace Umearegionen.Switchboard.Platform;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>How long start-up keeps trying to reach PostgreSQL before it gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StartupRetryFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Apply the migrations at start-up (the normal case); off for a read-only replica.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

public static class DatabaseRegistration
{
    public const string ConnectionStringName = "Switchboard";

    /// <summary>The pool's size when the connection string does not set one.</summary>
    public const int DefaultMaxPoolSize = 24;

    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"No database is configured. Set ConnectionStrings:{ConnectionStringName} (environment variable " +
                $"ConnectionStrings__{ConnectionStringName}), or start the service with ./scripts/run.sh, which " +
                "provisions a local PostgreSQL cluster.");
        }

        builder.Services.AddNpgsqlDataSource(connectionString, dataSource =>
        {
            dataSource.Name = "switchboard";
            // Prepare the statements a connection uses most: routing's multi-part statements run
            // hundreds of times a second, and planning them anew each time doubled the p99 latency
            // (docs/decisions/0009-a-small-pool-kept-open.md). A connection string that sets its own value keeps it.
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }

            // Returning a connection to the pool otherwise costs three statements on its next use
            // (reset of session authorization, settings and advisory locks): 212,000 of each in a
            // 30,000-call load run. The service keeps no session state: settings are transaction-local
            // and the migrator releases its session lock itself (docs/decisions/0009).
            if (!HasSetting(connectionString, "No Reset On Close", "NoResetOnClose"))
            {
                dataSource.ConnectionStringBuilder.NoResetOnClose = true;
            }

            // At most this many statements run in PostgreSQL at once; the rest wait their turn in the
            // pool. With Npgsql's default of 100, a busy moment put 70 concurrent statements on a 2-core
            // server, where they queued on the log flush and on each other's locks, and every pooled
            // connection planned its statements again after each autovacuum: at 200 calls/s, p99
            // intake-to-offer 1.7 s with 100, 52 ms with 24 (docs/decisions/0009). A
            // connection string that sets its own size keeps it (more for a server with more cores).
            if (!HasSetting(connectionString, "Maximum Pool Size", "MaxPoolSize"))
            {
                dataSource.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
            }

            // A connection once opened stays open. Otherwise Npgsql closes the connections that were idle
            // all through its five-minute window, and the next busy moment opens them again: a new server
            // process, an authentication, and every statement parsed and planned afresh, because prepared
            // statements belong to one connection. At 200 calls/s that stalled offers for about a second,
            // every five minutes (p99 intake-to-offer 0.9-1.2 s in those seconds; docs/decisions/0009).
            // The pool never holds more than its maximum. A connection string that sets its own minimum
            // keeps it.
            if (!HasSetting(connectionString, "Minimum Pool Size", "MinPoolSize"))
            {
                dataSource.ConnectionStringBuilder.MinPoolSize = dataSource.ConnectionStringBuilder.MaxPoolSize;
            }
        });
        return builder;
    }

    /// <summary>Whether the connection string names the setting itself (keys are case-insensitive).</summary>
    private static bool HasSetting(string connectionString, params string[] names)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return names.Any(given.ContainsKey);
    }

    /// <summary>The connection string without its password, for messages a person reads.</summary>
    public static string Describe(NpgsqlDataSource dataSource)
    {
        var csb = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return $"host {csb.Host} port {csb.Port} database {csb.Database} user {csb.Username}";
    }
}
