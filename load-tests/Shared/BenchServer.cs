using System.Diagnostics;
using Npgsql;

namespace Umearegionen.Switchboard.BenchSupport;

/// <summary>
/// The PostgreSQL server the benchmarks make their scratch databases on: SWITCHBOARD_BENCH_PG (an admin
/// connection string), else the project-local cluster (scripts/local-postgres.sh), started when it is not.
/// Compiled into each benchmark project that uses it (a linked file), as they are separate programs.
/// </summary>
internal static class BenchServer
{
    public static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable("SWITCHBOARD_BENCH_PG") ?? LocalCluster();

    /// <summary>One statement outside a transaction, e.g. create or drop the scratch database.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string LocalCluster()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Umearegionen.Switchboard.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException(
            "Run the benchmark from inside the repository, or set SWITCHBOARD_BENCH_PG to an admin connection string.");
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "local-postgres.sh"), "start"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("scripts/local-postgres.sh start failed; set SWITCHBOARD_BENCH_PG to an admin connection string instead.");
        }

        return output.Trim().Split('\n')[^1];
    }
}
