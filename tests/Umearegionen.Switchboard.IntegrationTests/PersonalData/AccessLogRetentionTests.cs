namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>The personal-data app with the access log kept <see cref="AccessLogDays"/> days.</summary>
public sealed class AccessLogRetentionApp : PersonalDataApp
{
    public const int AccessLogDays = 40;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["PersonalData:Retention:AccessLogDays"] = $"{AccessLogDays}",
    };
}

/// <summary>The access log's retention (PersonalData:Retention:AccessLogDays): entries past it are deleted by the retention run, which counts them.</summary>
public sealed class AccessLogRetentionTests(AccessLogRetentionApp app) : IClassFixture<AccessLogRetentionApp>
{
    [Fact]
    public async Task AccessLogEntriesOlderThanAccessLogDaysAreDeletedByTheRunCountedInItAndNoLongerFoundByNumber()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var admin = await app.ClientForAsync(Roles.Administrator);
        var number = PersonalDataWorld.NewCaller();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/personal-data/extract?number=" + Uri.EscapeDataString(number))).StatusCode);
        var old = await world.ScalarAsync<long>("select max(id) from access_log where action = 'register_extract'");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/personal-data/extract?number=" + Uri.EscapeDataString(number))).StatusCode);
        var recent = await world.ScalarAsync<long>("select max(id) from access_log where action = 'register_extract'");
        // Aged in place rather than by the fake clock: 40 days of the service's timers take minutes to fire.
        await AgeAsync(world, old, TimeSpan.FromDays(AccessLogRetentionApp.AccessLogDays) + TimeSpan.FromHours(1));
        await AgeAsync(world, recent, TimeSpan.FromDays(AccessLogRetentionApp.AccessLogDays) - TimeSpan.FromHours(1));
        var cutoff = app.Clock!.GetUtcNow().AddDays(-AccessLogRetentionApp.AccessLogDays);
        var due = await world.ScalarAsync<int>("select count(*) from access_log where occurred_at <= @cutoff", new { cutoff });

        var response = await admin.PostAsync("/api/personal-data/retention/run", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<RetentionRun>())!;
        Assert.True(due >= 1, $"{due} entries due");
        Assert.Equal(due, run.AccessLogEntries);
        Assert.Equal(0, await world.ScalarAsync<int>("select count(*) from access_log where occurred_at <= @cutoff", new { cutoff }));
        Assert.Equal((0L, 1L), (await world.ScalarAsync<long>("select count(*) from access_log where id = @old", new { old }),
            await world.ScalarAsync<long>("select count(*) from access_log where id = @recent", new { recent })));

        // "Who has looked up my number?" now finds only the entries still kept.
        var found = await admin.GetFromJsonAsync<JsonElement>("/api/access-log?action=register_extract&number=" + Uri.EscapeDataString(number));
        Assert.Equal([recent], found.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));

        var overview = await admin.GetFromJsonAsync<JsonElement>("/api/personal-data/retention");
        Assert.Equal(AccessLogRetentionApp.AccessLogDays, overview.GetProperty("settings").GetProperty("accessLogDays").GetInt32());
        var shown = Assert.Single(overview.GetProperty("runs").EnumerateArray(), r => r.GetProperty("id").GetInt64() == run.Id);
        Assert.Equal(due, shown.GetProperty("accessLogEntries").GetInt32());
    }

    [Fact]
    public async Task ASecondRunFindsNothingLeftToDeleteAndAnEntryInsideItsTimeIsKept()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/personal-data/extract?name=" + Uri.EscapeDataString("Greta Svensson"))).StatusCode);
        var entry = await world.ScalarAsync<long>("select max(id) from access_log where action = 'register_extract'");
        await AgeAsync(world, entry, TimeSpan.FromDays(AccessLogRetentionApp.AccessLogDays) - TimeSpan.FromMinutes(5));

        await admin.PostAsync("/api/personal-data/retention/run", null);
        var again = (await (await admin.PostAsync("/api/personal-data/retention/run", null)).Content.ReadFromJsonAsync<RetentionRun>())!;

        Assert.Equal(0, again.AccessLogEntries);
        Assert.Equal(1L, await world.ScalarAsync<long>("select count(*) from access_log where id = @entry", new { entry }));
    }

    private static Task AgeAsync(PersonalDataWorld world, long id, TimeSpan age) =>
        world.ExecuteAsync("update access_log set occurred_at = occurred_at - @age where id = @id", new { id, age });
}

/// <summary>A bad PersonalData:Retention:AccessLogDays stops the service at start, naming the setting.</summary>
public sealed class AccessLogRetentionSettingTests
{
    [Fact]
    public async Task ServiceRefusesToStartWithAnAccessLogRetentionUnder30DaysAndNamesTheSetting()
    {
        var app = new SettingApp("PersonalData:Retention:AccessLogDays", "29");
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains("AccessLogDays", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class SettingApp(string key, string value) : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [key] = value };
    }
}
