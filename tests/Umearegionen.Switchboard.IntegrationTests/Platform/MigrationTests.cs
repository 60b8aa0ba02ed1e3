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
