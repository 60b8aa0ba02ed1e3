namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// Adds ended calls' facts to the rollups (statistics_flush, Scripts/Functions/statistics_flush.sql): in the background every
/// Statistics:FlushInterval, and before every statistics read so that answers include every ended call.
/// Kept out of the call's own transaction so that concurrent endings do not queue on shared rollup rows.
/// The background flush runs on the leader node only; a flush before a read may run on any node at the
/// same time: flushes take turns on a transaction-level advisory lock (docs/decisions/0013).
/// </summary>
public sealed class RollupFlush(
    NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options, TimeProvider clock, ClusterNode cluster, ILogger<RollupFlush> logger)
    : BackgroundService
{
    private const int Chunk = 5000;

    /// <summary>Adds every pending fact, a chunk per statement; returns how many.</summary>
    public static async Task<int> FlushAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var total = 0;
        int added;
        do
        {
            added = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "select statistics_flush(@chunk)", new { chunk = Chunk }, cancellationToken: ct));
            total += added;
        }
        while (added == Chunk);
        return total;
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await FlushAsync(conn, ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                StatisticsLog.FlushFailed(logger, ex);
            }
        }
    }
}

internal static partial class StatisticsLog
{
    [LoggerMessage(1, LogLevel.Warning, "Adding ended calls to the statistics rollups failed; trying again at the next tick")]
    public static partial void FlushFailed(ILogger logger, Exception exception);
}
