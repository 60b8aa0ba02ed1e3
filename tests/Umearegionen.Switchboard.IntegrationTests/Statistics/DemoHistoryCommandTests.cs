namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>`demo history --days N`: past traffic for a demo or load-test database, never for one with real calls.</summary>
public sealed class DemoHistoryCommandTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private readonly CallHistory _history = new(app);

    [Fact]
    public async Task DemoHistoryLoadsTheDaysWithFactsOnceAndNeverBesideRealCalls()
    {
        var (badExit, _, badErrors) = await ServiceCommand.RunAsync(app, "demo", "history", "--days", "a year");
        Assert.Equal(2, badExit);
        Assert.Contains("--days must be a whole number of days from 1 to 3660", badErrors);

        // Calls ended more than CallerNumbersDays ago are written as the nightly retention would have left them.
        var (exit, output, _) = await ServiceCommand.RunWithSettingsAsync(
            app, new Dictionary<string, string> { ["PersonalData__Retention__CallerNumbersDays"] = "5" }, "demo", "history", "--days", "10");

        Assert.Equal(0, exit);
        var calls = await _history.ScalarAsync<long>("select count(*) from calls where platform_call_id like 'demo-history-%'");
        Assert.InRange(calls, 6 * 1400, 8 * 1400); // the weekdays among the last ten days
        Assert.Contains($"Loaded 10 days of demo history: {calls} calls.", output);
        Assert.Equal(calls, await _history.ScalarAsync<long>("select count(*) from call_facts"));
        Assert.Equal(calls, await _history.ScalarAsync<long>("select sum(offered) from call_daily"));
        Assert.Equal(0L, await _history.ScalarAsync<long>("""
            select count(*) from calls where platform_call_id like 'demo-history-%'
              and ((caller_number is null and completed_at > now() - interval '5 days')
                or (caller_number is not null and completed_at <= now() - interval '5 days 1 hour'))
            """));
        Assert.Equal(0L, await _history.ScalarAsync<long>("""
            select count(*) from calls where platform_call_id like 'demo-history-%'
              and (caller_number is null) <> (personal_data_removed_at is not null)
            """));
        Assert.True(await _history.ScalarAsync<bool>(
            "select count(*) filter (where caller_number is null) > 0 and count(*) filter (where caller_number is not null) > 0 from calls where platform_call_id like 'demo-history-%'"));
        Assert.True(await _history.ScalarAsync<bool>("select last_vacuum is not null and last_analyze is not null from pg_stat_user_tables where relname = 'calls'"));
        // Not only the big tables: making the facts queues every one of them in call_facts_pending and then takes
        // them all, and the flush under load must not start by walking those dead rows.
        Assert.Equal(0L, await _history.ScalarAsync<long>("""
            select count(*) from pg_stat_user_tables
            where relname in ('call_facts_pending', 'call_facts_due', 'call_slices', 'call_daily') and last_vacuum is null
            """));

        var (againExit, _, againErrors) = await ServiceCommand.RunAsync(app, "demo", "history", "--days", "10");
        Assert.Equal(2, againExit);
        Assert.Contains("already has demo history", againErrors);

        await _history.AddAsync(new PastCall("2480", DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), "answered"));
        var (realExit, _, realErrors) = await ServiceCommand.RunAsync(app, "demo", "history", "--days", "10");
        Assert.Equal(2, realExit);
        Assert.Contains("holds calls that are not demo history", realErrors);
        Assert.Equal(calls, await _history.ScalarAsync<long>("select count(*) from calls where platform_call_id like 'demo-history-%'"));
    }
}
