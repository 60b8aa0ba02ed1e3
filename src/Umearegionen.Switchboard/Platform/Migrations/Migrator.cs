using DbUp;
using DbUp.Engine.Output;
using DbUp.Postgresql;

namespace Umearegionen.Switchboard.Platform.Migrations;

/// <summary>
/// Applies the numbered SQL scripts under Scripts/ with DbUp (tables, columns, indexes, settings, seeds;
/// each runs once, recorded in schemaversions), then the function scripts under Scripts/Functions
/// (functions, triggers, views; each applied again when its text changes, <see cref="FunctionScripts"/>),
/// all under one advisory lock. Applying twice changes nothing.
/// </summary>
public static partial class Migrator
{
    // One migrator at a time, even when several instances start together.
    private const long AdvisoryLockKey = 0x5357_4954_4348; // "SWITCH"

    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Migrator));
        var time = app.Services.GetRequiredService<TimeProvider>();

        await WaitForDatabaseAsync(dataSource, options.StartupRetryFor, logger, time, app.Lifetime.ApplicationStopping);
        if (options.MigrateOnStartup)
        {
            await ApplyAsync(dataSource, logger);
        }
    }

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, ILogger logger)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            cmd.Parameters.AddWithValue("key", AdvisoryLockKey);
            await cmd.ExecuteNonQueryAsync();
        }

        try
        {
            var functionScripts = FunctionScripts.Embedded();
            await PreFoldJournal.AdoptAsync(lockConnection, logger);

            var upgrader = DeployChanges.To
                .PostgresqlDatabase(new PostgresqlConnectionManager(dataSource))
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, IsNumberedScript)
                .WithTransactionPerScript()
                .LogTo(new DbUpLogger(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException(
                    $"Migration script {result.ErrorScript?.Name ?? "(unknown)"} failed: {result.Error.Message}. " +
                    "Nothing of that script was applied; fix the script or the database and start again.",
                    result.Error);
            }

            await FunctionScripts.ApplyAsync(lockConnection, functionScripts, logger);
        }
        finally
        {
            await using var cmd = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            cmd.Parameters.AddWithValue("key", AdvisoryLockKey);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    internal static bool IsNumberedScript(string resourceName) =>
        resourceName.Contains(".Platform.Migrations.Scripts.", StringComparison.Ordinal)
        && !resourceName.Contains(".Platform.Migrations.Scripts.Functions.", StringComparison.Ordinal);

    private static async Task WaitForDatabaseAsync(
        NpgsqlDataSource dataSource, TimeSpan retryFor, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + retryFor;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    throw new InvalidOperationException(
                        $"Could not reach PostgreSQL at {DatabaseRegistration.Describe(dataSource)} after {attempt} " +
                        $"attempts over {retryFor.TotalSeconds:0} s: {ex.Message}. Check that the server is running " +
                        "and that ConnectionStrings:Switchboard names the right host, port, database, user and password " +
                        "(./scripts/run.sh starts a local cluster for you).", ex);
                }

                LogDatabaseUnavailable(logger, attempt, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), time, ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL not reachable yet (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogDatabaseUnavailable(ILogger logger, int attempt, string reason);

    private sealed class DbUpLogger(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
