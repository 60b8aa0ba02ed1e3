using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>
/// Every index on a table each call writes is an entry written at every insert and at every update that
/// cannot be HOT, so the list is kept on purpose (docs/decisions/0010-fewer-indexes-on-the-hot-tables.md).
/// A change here is a cost on every call: measure it (WAL records per call life) and update the list.
/// </summary>
public sealed class HotTableIndexTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["calls"] =
        [
            "calls_pkey", "calls_platform_call_id_key",
            // The live states, partial: a call that ends leaves them.
            "calls_queue", "calls_one_offer_per_operator", "calls_one_call_per_operator",
            // Calls by time (today's figures, the call history); written once, at intake.
            "calls_queued_today",
            // Lookups by a caller's number, partial: ended calls (0300_routing.sql), transfers (bounce-backs, 0400_statistics.sql).
            "calls_ended_by_caller", "calls_transferred_by_caller",
        ],
        ["call_events"] = ["call_events_pkey", "call_events_call", "call_events_platform_event"],
        ["telephony_instructions"] = ["telephony_instructions_pkey", "telephony_instructions_pending"],
        ["operators"] = ["operators_pkey"],
    };

    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
    }

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task TablesEveryCallWritesCarryOnlyTheIndexesTheirReadsNeed()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        var found = (await conn.QueryAsync<(string Table, string Index)>(
                """
                select tablename, indexname from pg_indexes
                where schemaname = current_schema() and tablename = any(@tables)
                order by tablename, indexname
                """, new { tables = Expected.Keys.ToArray() }))
            .GroupBy(r => r.Table)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Index).ToArray());

        var wrong = Expected
            .Where(e => !e.Value.Order().SequenceEqual(found.GetValueOrDefault(e.Key, []).Order()))
            .Select(e => $"{e.Key} has [{string.Join(", ", found.GetValueOrDefault(e.Key, []))}], expected [{string.Join(", ", e.Value)}]")
            .ToList();
        Assert.True(wrong.Count == 0,
            string.Join("; ", wrong) + ". Each index costs every call an entry (docs/decisions/0010); measure it, then update this list.");
    }
}
