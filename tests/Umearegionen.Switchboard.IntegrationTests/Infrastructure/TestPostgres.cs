using Microsoft.Extensions.Logging.Abstractions;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The real PostgreSQL server the tests run against: the one named by SWITCHBOARD_TEST_PG (an admin
/// connection string, set by scripts/test.sh), or else the project-local cluster, which this starts.
/// Each test class gets a database of its own, so no test sees another's leftovers.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Admin = new(FindServer);

    public static string AdminConnectionString => Admin.Value;

    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "sbtest_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"create database {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A database of its own with every migration applied, and no service on it.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync()
    {
        var connectionString = await CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
        return connectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Umearegionen.Switchboard.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }

    private static string FindServer()
    {
        var configured = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_PG");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "local-postgres.sh");
        var start = new ProcessStartInfo("bash", [script, "start"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/local-postgres.sh start failed ({process.ExitCode}): {errors}");
        }

        return output.Trim().Split('\n')[^1];
    }
}
