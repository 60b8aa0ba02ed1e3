namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// Adds ended calls' facts to the rollups (statistics_flush, Scripts/Functions/statistics_flush.sql): in the background, and
/// before every statistics read so that answers include every ended call. Kept out of the call's own transaction so that
/// concurrent endings do not queue on shared rollup rows. The background flush runs on the leader node only; a flush before
/// a read may run on any node at the same time: flushes take turns on a transaction-level advisory lock (docs/decisions/0013).
/// </summary>
/// <remarks>
/// The background flush waits for a batch (docs/decisions/0021): every Statistics:FlushInterval it flushes when at least
/// Statistics:FlushMinFacts ended calls and changed facts are waiting, or when Statistics:FlushMaxDelay has passed since its
/// last flush. A rollup row is updated once per flush however many facts it carries, so at a low rate a flush every 2 s
/// updated most rows for one or two facts: write-ahead log per call for nothing, as every read flushes first anyway.
/// </remarks>
public sealed class RollupFlush(
    NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options, TimeProvider clock, ClusterNode cluster, ILogger<RollupFlush> logger)
    : BackgroundService
{
    private const int Chunk = 5000;

    // How many ended calls and changed facts wait, counted up to the batch asked for (both queues are small).
    private const string WaitingSql = """
        select (select count(*) from (select 1 from call_facts_due limit @min) d)::int
             + (select count(*) from (select 1 from call_facts_pending limit @min) p)::int
        """;

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

    /// <summary>
    /// The background flush's turn: flushes when at least <paramref name="minFacts"/> ended calls and changed facts wait,
    /// or when <paramref name="overdue"/> (its longest wait has passed); returns whether it flushed.
    /// </summary>
    private static async Task<bool> FlushIfDueAsync(NpgsqlConnection conn, int minFacts, bool overdue, CancellationToken ct)
    {
        if (!overdue && minFacts > 1 && await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                WaitingSql, new { min = minFacts }, cancellationToken: ct)) < minFacts)
        {
            return false;
        }

        await FlushAsync(conn, ct);
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.FlushInterval, clock);
        var last = clock.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stoppingToken);
                if (await FlushIfDueAsync(conn, settings.FlushMinFacts, clock.GetUtcNow() - last >= settings.FlushMaxDelay, stoppingToken))
                {
                    last = clock.GetUtcNow();
                }
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
