using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.Directory.Demo;
using Umearegionen.Switchboard.OpeningHours;
using Umearegionen.Switchboard.Platform;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.Benchmarks;

/// <summary>
/// A scratch database of one run on the bench server: the service's migrations, the demo directory and
/// its demo opening hours. Dropped when disposed.
/// </summary>
internal sealed class DemoDatabase(string admin, string name, NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public static async Task<DemoDatabase> CreateAsync(string prefix)
    {
        DapperSetup.Configure();
        var admin = BenchServer.AdminConnectionString();
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..10];
        await BenchServer.ExecuteAsync(admin, $"create database {name}");
        var database = new DemoDatabase(admin, name, NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString));
        try
        {
            await Migrator.ApplyAsync(database.DataSource, NullLogger.Instance);
            await new DirectoryDemoData(database.DataSource, TimeProvider.System).LoadAsync(default);
            await new OpeningHoursDemoData(database.DataSource, TimeProvider.System).LoadAsync(default);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await BenchServer.ExecuteAsync(admin, $"drop database if exists {name} with (force)");
    }
}
