using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>
/// What the run cost the parts every node shares, from their own counters read before the first call
/// and after the last one ended: PostgreSQL's committed transactions and WAL bytes (pg_stat_database,
/// pg_stat_wal; the whole server, so the generator's own reads count too) and, with several nodes,
/// the commands Redis processed (INFO stats).
/// </summary>
public sealed record SharedCounters(long Commits, long WalBytes, long? RedisCommands)
{
    public static async Task<SharedCounters> ReadAsync(string connectionString, int? redisPort, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            select (select sum(xact_commit)::bigint from pg_stat_database),
                   (select wal_bytes::bigint from pg_stat_wal)
            """, conn);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SharedCounters(reader.GetInt64(0), reader.GetInt64(1), redisPort is { } port ? await RedisCommandsAsync(port, ct) : null);
    }

    private static async Task<long?> RedisCommandsAsync(int port, CancellationToken ct)
    {
        var info = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "info", "stats"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return ParseCommands(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no redis-cli
        }
    }

    /// <summary>total_commands_processed from INFO's text.</summary>
    public static long? ParseCommands(string info) =>
        info.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("total_commands_processed:", StringComparison.Ordinal))
            .Select(l => long.TryParse(l["total_commands_processed:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (long?)null)
            .FirstOrDefault();

    /// <summary>One line for the report: per call, from two readings.</summary>
    public static string PerCall(SharedCounters before, SharedCounters after, int calls)
    {
        if (calls <= 0) return "no calls";
        var perCall = (double)(after.Commits - before.Commits) / calls;
        var wal = (double)(after.WalBytes - before.WalBytes) / calls;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL {perCall:0.0} commits and {wal / 1024:0.0} kB of WAL per call");
        if (before.RedisCommands is { } r0 && after.RedisCommands is { } r1)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; Redis {(double)(r1 - r0) / calls:0.0} commands per call (the backplane's publishes and subscriptions)");
        }

        return text + " (whole server, from the first arrival until every call had ended)";
    }
}
