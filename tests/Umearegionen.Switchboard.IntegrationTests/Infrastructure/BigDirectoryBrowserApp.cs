using Umearegionen.Switchboard.Directory.Demo;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The browser fixture over a full-size directory: 3,000 units and 20,000 people for the six served
/// municipalities (Umeå half, the others a tenth each), generated and written by the demo generator
/// through the CSV import's checking and writing code, as the directory benchmark builds it
/// (docs/performance.md), then vacuumed and analysed as autovacuum would leave it.
/// </summary>
public class BigDirectoryBrowserApp : BrowserApp
{
    public const int Units = 3000, People = 20000;
    private static readonly Actor Loader = new("big-directory", "Stor katalog");

    /// <summary>False leaves the directory empty (xunit creates a class's fixture even when all its tests are skipped).</summary>
    protected virtual bool FillsDirectory => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (!FillsDirectory)
        {
            return;
        }

        var dataSource = Service<NpgsqlDataSource>();
        var now = DateTimeOffset.UtcNow;
        foreach (var m in DemoCatalogue.Municipalities)
        {
            var share = m.Code == "2480" ? 0.5 : 0.1;
            await DirectoryDemoData.LoadAsync(dataSource, m, (int)(Units * share), (int)(People * share), now, Loader, default);
        }

        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("vacuum analyze");
        var people = await conn.ExecuteScalarAsync<long>("select count(*) from directory_people");
        if (people < People)
        {
            throw new InvalidOperationException($"The big directory holds {people} people, expected {People}.");
        }
    }
}
