using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>The daily run: at its local time, on the leader, once a day.</summary>
public sealed class RetentionScheduleTests(RetentionScheduleTests.App app) : IClassFixture<RetentionScheduleTests.App>
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    public sealed class App : PersonalDataApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["PersonalData:Retention:Enabled"] = "true",
            ["PersonalData:Retention:RunAt"] = "03:15:00",
        };
    }

    [Fact]
    public async Task TheDailyRunStartsAtItsLocalTimeOnTheLeaderOnceADay()
    {
        var world = new PersonalDataWorld(app, null!);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock!.GetUtcNow(), Stockholm).DateTime);
        // Started after 03:15, the leader catches up on today's run at once; before, it runs at 03:15.
        if (TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), Stockholm).TimeOfDay < new TimeSpan(3, 15, 0))
        {
            app.Clock.SetUtcNow(At(today, new TimeSpan(3, 16, 0)));
        }

        await EventuallyAsync(async () => await ScheduledRunsAsync(world, today) == 1);

        var tomorrow = today.AddDays(1);
        var prefix = await RetentionBatchTests.AddOldCallsAsync(world, app, 20);
        app.Clock.SetUtcNow(At(tomorrow, new TimeSpan(3, 14, 0)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await ScheduledRunsAsync(world, tomorrow));

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await EventuallyAsync(async () => await ScheduledRunsAsync(world, tomorrow) == 1);
        app.Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from retention_runs where run_date = @tomorrow", new { tomorrow }));
        Assert.Equal(app.Service<ClusterNode>().Name,
            await world.ScalarAsync<string>("select started_by from retention_runs where run_date = @tomorrow", new { tomorrow }));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from calls where platform_call_id like @prefix || '%' and caller_number is not null", new { prefix }));
    }

    private static Task<long> ScheduledRunsAsync(PersonalDataWorld world, DateOnly day) => world.ScalarAsync<long>(
        "select count(*) from retention_runs where run_date = @day and trigger = 'scheduled' and outcome = 'completed'", new { day });

    private static DateTimeOffset At(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.FromTimeSpan(time));
        return new DateTimeOffset(local, Stockholm.GetUtcOffset(local)).ToUniversalTime();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + RoutingDriver.Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}
