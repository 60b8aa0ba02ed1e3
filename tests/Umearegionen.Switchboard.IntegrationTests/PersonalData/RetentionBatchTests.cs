namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>Many old calls: small batches, and one run however many instances ask at once.</summary>
public sealed class RetentionBatchTests(RetentionBatchTests.App app) : IClassFixture<RetentionBatchTests.App>
{
    public const int BatchSize = 100;

    public class App : PersonalDataApp
    {
        public App() { }

        protected App(string existingDatabase) : base(existingDatabase) { }

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["PersonalData:Retention:BatchSize"] = $"{BatchSize}",
        };
    }

    /// <summary>A second instance of the service on the same database, as a second node would be.</summary>
    private sealed class SecondInstance(string database) : App(database);

    /// <summary>Ended calls with an event and an instruction each, from before the retention time.</summary>
    public static async Task<string> AddOldCallsAsync(PersonalDataWorld world, SwitchboardApp app, int count)
    {
        var prefix = "bulk-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var at = app.Clock!.GetUtcNow().AddDays(-(PersonalDataApp.CallerNumbersDays + 2));
        await world.ExecuteAsync("""
            with c as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, outcome,
                                   queued_at, completed_at, caller_left_at)
                select gen_random_uuid(), @prefix || g, '+4670' || (1000000 + g), '+4693214000', '2403', 'abandoned', 'abandoned',
                       @at - g * interval '1 minute', @at - g * interval '1 minute' + interval '20 seconds',
                       @at - g * interval '1 minute' + interval '20 seconds'
                from generate_series(1, @count) g
                returning id, platform_call_id, caller_number, queued_at
            ), e as (
                insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
                select id, 'received', 'received', queued_at, 'telephony',
                       jsonb_build_object('dialledNumber', '+4693214000', 'menuTopic', null, 'priority', 0)
                from c
            )
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at, acknowledged_at)
            select id, platform_call_id, 'end', jsonb_build_object('operatorId', gen_random_uuid()), queued_at, queued_at from c
            """, new { prefix, at, count });
        return prefix;
    }

    [Fact]
    public async Task OldCallsAreRemovedInBatchesOfTheConfiguredSize()
    {
        var world = new PersonalDataWorld(app, null!);
        var prefix = await AddOldCallsAsync(world, app, 10 * BatchSize + 50);

        var run = (await app.Service<Retention>().RunAsync(RetentionTriggers.Manual, "test", CancellationToken.None))!;

        Assert.Equal((10 * BatchSize + 50, 11), (run.Calls, run.Batches));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from calls where platform_call_id like @prefix || '%' and (caller_number is not null or personal_data_removed_at is null)",
            new { prefix }));
    }

    [Fact]
    public async Task TwoInstancesAskingForTheDaysRunAtOnceRunItOnce()
    {
        var world = new PersonalDataWorld(app, null!);
        await AddOldCallsAsync(world, app, 5 * BatchSize);
        await using var second = new SecondInstance(app.DatabaseConnectionString);
        await ((IAsyncLifetime)second).InitializeAsync();

        var runs = await Task.WhenAll(
            Task.Run(() => app.Service<Retention>().RunAsync(RetentionTriggers.Scheduled, "first", CancellationToken.None)),
            Task.Run(() => second.Service<Retention>().RunAsync(RetentionTriggers.Scheduled, "second", CancellationToken.None)));
        var again = await app.Service<Retention>().RunAsync(RetentionTriggers.Scheduled, "first", CancellationToken.None);

        // One ran; the other found it running (null) or done (the same run); asked again, the day's run is done.
        var done = Assert.Single(runs.Where(r => r is not null).DistinctBy(r => r!.Id))!;
        Assert.Equal((5 * BatchSize, "completed"), (done.Calls, done.Outcome));
        Assert.Equal(done.Id, again!.Id);
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from retention_runs where trigger = 'scheduled'"));
    }
}
