using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class MigrationTests : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task MigrationsApplyToAnEmptyDatabaseAndReapplyWithoutChange()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);

        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
        var first = await SchemaFingerprintAsync(dataSource);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
        var second = await SchemaFingerprintAsync(dataSource);

        Assert.Contains("accounts", first.Tables);
        Assert.Contains("municipalities", first.Tables);
        Assert.Contains("audit_log", first.Tables);
        Assert.True(first.Scripts > 0);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task ConcurrentStartupsApplyEachScriptOnce()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Migrator.ApplyAsync(dataSource, NullLogger.Instance)));

        await using var connection = await dataSource.OpenConnectionAsync();
        var duplicates = await connection.ExecuteScalarAsync<long>(
            "select count(*) - count(distinct scriptname) from schemaversions");
        Assert.Equal(0, duplicates);
    }

    [Fact]
    public async Task ScriptNumberedBelowTheLastAppliedIsStillApplied()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
        await using var connection = await dataSource.OpenConnectionAsync();
        // A database that ran every script up to 0415 before 0301 (routing's range) was written.
        await connection.ExecuteAsync("""
            delete from schemaversions where scriptname like '%.0301_routing_fewer_indexes.sql';
            create index calls_waiting on calls (priority desc, queued_at, id) where state in ('queued', 'offered');
            create index calls_offer_expiry on calls (offer_expires_at) where state = 'offered';
            create index operators_available on operators (idle_since) where status = 'available' and disconnected_at is null;
            alter table operators reset (fillfactor);
            """);

        await Migrator.ApplyAsync(dataSource, NullLogger.Instance);

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "select count(*) from pg_indexes where indexname in ('calls_waiting', 'calls_offer_expiry', 'operators_available')"));
        Assert.Equal("{fillfactor=50}", await connection.ExecuteScalarAsync<string>(
            "select reloptions::text from pg_class where relname = 'operators'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "select count(*) from schemaversions where scriptname like '%.0301_routing_fewer_indexes.sql'"));
    }

    private static async Task<Fingerprint> SchemaFingerprintAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public' order by table_name")).ToList();
        var columns = await connection.ExecuteScalarAsync<long>(
            "select count(*) from information_schema.columns where table_schema = 'public'");
        var scripts = await connection.ExecuteScalarAsync<long>("select count(*) from schemaversions");
        var municipalities = await connection.ExecuteScalarAsync<long>("select count(*) from municipalities");
        return new Fingerprint(string.Join(",", tables), columns, scripts, municipalities);
    }

    private sealed record Fingerprint(string Tables, long Columns, long Scripts, long Municipalities);
}
