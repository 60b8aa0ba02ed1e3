using Microsoft.Extensions.Options;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// What the manager's snapshot costs the database, counted by PostgreSQL itself (pg_stat_database) in a database of
/// its own that no service runs on (docs/decisions/0027).
/// </summary>
public sealed class ManagerSnapshotTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task TheQueueTheOperatorsAndTodaysFiguresOfAManagersSnapshotAreReadInOneTransaction()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        try
        {
            await using (var db = new NpgsqlConnection(unpooled))
            {
                await db.ExecuteAsync("""
                    insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at)
                    values (gen_random_uuid(), 'snapshot-test', '+46701234567', '+4690161000', '2480', 'queued', now() - interval '1 minute')
                    """);
                await db.ExecuteAsync("insert into call_queue (call_id, priority, queued_at) select id, 0, queued_at from calls");
            }

            // Without pooling each read's backend ends with its connection, which reports its counters at once. The
            // clock stands still, so what TodayCounts remembers is brought up to date at the first read only.
            await using var source = NpgsqlDataSource.Create(unpooled);
            var view = new LiveView(source, new StoppedClock(DateTimeOffset.UtcNow), app.Service<IOptions<RoutingOptions>>(), app.Service<NoticeBoard>(),
                app.Service<Destinations>(), new TodayCounts(app.Service<IOptions<ServiceLevelOptions>>()), app.Service<RecentContacts>());
            await view.SnapshotsAsync(CancellationToken.None);
            var before = await CommitsAsync(database);

            var (queue, manager) = await view.SnapshotsAsync(CancellationToken.None);
            var after = await CommitsAsync(database);

            Assert.Equal(1, queue.Length);
            Assert.Equal(1, manager.QueueLength);
            Assert.Equal("2480", Assert.Single(manager.CallsPerMunicipalityToday).MunicipalityCode);
            // A connection of its own costs a commit besides its statements' (the backend's start): one `select 1` says how many.
            await using (var one = await source.OpenConnectionAsync())
            {
                await one.ExecuteAsync("select 1");
            }

            var oneStatement = await CommitsAsync(database) - after;
            Assert.Equal(oneStatement, after - before);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    // The database's commits once no backend is connected to it and its count has stopped moving.
    private static async Task<long> CommitsAsync(string database)
    {
        long last = -1;
        for (var i = 0; i < 50; i++)
        {
            await using var admin = new NpgsqlConnection(TestPostgres.AdminConnectionString);
            await admin.OpenAsync();
            var (backends, commits) = await admin.QuerySingleAsync<(long, long)>("""
                select (select count(*) from pg_stat_activity where datname = @database),
                       (select xact_commit from pg_stat_database where datname = @database)
                """, new { database });
            if (backends == 0 && commits == last)
            {
                return commits;
            }

            last = commits;
            await Task.Delay(200);
        }

        throw new InvalidOperationException($"the commits of {database} did not settle");
    }
}
