namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>
/// The tables every call writes, routing's and the statistics flush's, are analysed about once a minute
/// at a peak, so ANALYZE samples them lightly: 9,000 rows, not the default 30,000
/// (the end of 0300_routing.sql and of 0400_statistics.sql; docs/decisions/0011); and those that change
/// several times for each call are analysed about a fifth as often (the same scripts).
/// </summary>
public sealed class StatisticsSampleTests : IAsyncLifetime
{
    private static readonly string[] Tables =
    [
        // Routing (0300_routing.sql, 0311_accept_made_hot.sql)
        "calls", "call_events", "telephony_instructions", "call_queue",
        // Statistics (0400_statistics.sql)
        "call_facts", "call_facts_pending", "call_facts_due", "call_daily", "call_daily_waits", "operator_daily",
        "operator_status_log", "call_slices", "call_slice_waits", "call_slice_waits_monthly",
        // Statistics (0413_statistics_answers_rolled_up.sql)
        "call_answer_daily",
    ];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateMigratedDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

    // ANALYZE VERBOSE reports the rows it sampled as a notice: "... containing N live rows ...; M rows in sample ...".
    private static async Task<List<string>> AnalyseVerboseAsync(NpgsqlConnection conn, string table)
    {
        var notices = new List<string>();
        conn.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        await conn.ExecuteAsync($"analyze verbose {table}");
        return notices;
    }

    [Fact]
    public async Task AnalysingCallsReadsASampleOfNineThousandRowsWhateverTheTableHolds()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at,
                               completed_at, outcome)
            select gen_random_uuid(), 'sample-' || g, '+4670' || g, '+4690161000', '2480', 'completed',
                   now() - g * interval '1 min', now() - g * interval '1 min' + interval '2 min', 'answered'
            from generate_series(1, 20000) g
            """);
        var notices = await AnalyseVerboseAsync(conn, "calls");

        Assert.Contains(notices, n => n.Contains("containing 20000 live rows", StringComparison.Ordinal)
                                      && n.Contains("9000 rows in sample", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnalysingASliceRollupReadsASampleOfNineThousandRows()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        // 20,000 unit slices: 200 units on each of 100 days.
        await conn.ExecuteAsync("""
            insert into call_slices (dimension, local_date, municipality_code, key, offered, answered)
            select 'unit', date '2025-01-01' + d, '2480', 'unit-' || u, 3, 2
            from generate_series(0, 99) d, generate_series(1, 200) u
            """);
        var notices = await AnalyseVerboseAsync(conn, "call_slices");

        Assert.Contains(notices, n => n.Contains("containing 20000 live rows", StringComparison.Ordinal)
                                      && n.Contains("9000 rows in sample", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TablesThatChangeSeveralTimesForEachCallAreAnalysedAfterChangesToHalfTheirRows()
    {
        // 0300_routing.sql and 0400_statistics.sql: a call's row changes about four times, a call has six or seven events, and a
        // rollup's row changes at every call of its day, so the default (changes to 10 % of the rows)
        // meant an ANALYZE of each every minute at a peak.
        string[] updatedInPlace =
        [
            "calls", "call_events", "telephony_instructions",
            "call_daily", "call_daily_waits", "operator_daily", "call_slices", "call_slice_waits", "call_slice_waits_monthly",
            "call_answer_daily",
        ];
        await using var conn = new NpgsqlConnection(_connectionString);
        var factors = (await conn.QueryAsync<(string Table, string? Factor)>("""
            select c.relname,
                   (select split_part(o, '=', 2) from unnest(c.reloptions) o where o like 'autovacuum_analyze_scale_factor=%')
            from pg_class c
            where c.relname = any(@tables) and c.relkind = 'r'
            order by 1
            """, new { tables = Tables })).ToDictionary(f => f.Table, f => f.Factor);

        Assert.Equal(Tables.Order(), factors.Keys.Order());
        Assert.All(factors, f => Assert.True(
            f.Value == (updatedInPlace.Contains(f.Key) ? "0.5" : null),
            $"{f.Key} has autovacuum_analyze_scale_factor {f.Value ?? "default"}"));
    }

    [Fact]
    public async Task EveryColumnOfTheTablesEveryCallWritesHasTheSmallTarget()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        // The largest target among a table's columns decides its sample, so one column left at the
        // default (-1 before PostgreSQL 17, null from 17) would bring back the 30,000 rows.
        var columns = (await conn.QueryAsync<(string Table, string Column, int? Target)>("""
            select c.relname, a.attname, a.attstattarget::int
            from pg_attribute a join pg_class c on c.oid = a.attrelid
            where c.relname = any(@tables) and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
            order by 1, 2
            """, new { tables = Tables })).ToList();

        Assert.Equal(Tables.Order(), columns.Select(c => c.Table).Distinct().Order());
        Assert.All(columns, c => Assert.True(c.Target == 30, $"{c.Table}.{c.Column} has statistics target {c.Target?.ToString() ?? "default"}, not 30"));
    }
}
