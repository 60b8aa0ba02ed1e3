using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The tables every call writes are analysed about once a minute at a peak, so ANALYZE samples them
/// lightly: 9,000 rows, not the default 30,000 (0303_routing_statistics_from_a_smaller_sample.sql).
/// </summary>
public sealed class StatisticsSampleTests : IAsyncLifetime
{
    private static readonly string[] Tables = ["calls", "call_events", "offers", "telephony_instructions"];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
    }

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

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
        var notices = new List<string>();
        conn.Notice += (_, e) => notices.Add(e.Notice.MessageText);

        await conn.ExecuteAsync("analyze verbose calls");

        Assert.Contains(notices, n => n.Contains("containing 20000 live rows", StringComparison.Ordinal)
                                      && n.Contains("9000 rows in sample", StringComparison.Ordinal));
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
