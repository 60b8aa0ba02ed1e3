namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

public sealed class RetentionTests(PersonalDataApp app) : IClassFixture<PersonalDataApp>
{
    private async Task<RetentionRun> RunAsync()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var response = await admin.PostAsync("/api/personal-data/retention/run", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RetentionRun>())!;
    }

    [Fact]
    public async Task DataInsideItsRetentionTimeAndCallsInProgressAreLeftAlone()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        var old = await world.AnsweredAsync(op, caller, "old note");
        var oldMessage = await world.MessageAsync(op, caller, "Per", "old message", sent: true);
        var unsent = await world.MessageAsync(op, caller, "Per", "never sent", sent: false);
        app.Clock!.Advance(TimeSpan.FromDays(2));
        var recent = await world.AnsweredAsync(op, caller, "recent note");
        var fault = await world.FaultReportAsync(op, caller, caller, "Per");
        await op.SetStatusAsync(OperatorStatuses.Paused, "test");
        var waiting = await world.WaitingCallAsync(caller);
        app.Clock.Advance(TimeSpan.FromDays(PersonalDataApp.CallerNumbersDays - 1) + TimeSpan.FromHours(1));

        await RunAsync();

        // Past its time: the call of the first day and its sent message.
        Assert.Null(await world.ScalarAsync<string?>("select caller_number from calls where id = @old", new { old }));
        Assert.NotNull(await world.ScalarAsync<DateTimeOffset?>("select personal_data_removed_at from calls where id = @old", new { old }));
        Assert.Null(await world.ScalarAsync<string?>("select text from messages where call_id = @oldMessage", new { oldMessage }));
        // Inside its time, or still in use: untouched.
        Assert.Equal(caller, await world.ScalarAsync<string>("select caller_number from calls where id = @recent", new { recent }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from call_events where call_id = @recent and data::text like '%recent note%'", new { recent }));
        Assert.Equal("never sent", await world.ScalarAsync<string>("select text from messages where call_id = @unsent", new { unsent }));
        Assert.Equal(caller, await world.ScalarAsync<string>("select contact_number from fault_reports where call_id = @fault", new { fault }));
        Assert.Equal(new CallData(caller, CallStates.Queued, null), Assert.Single(await world.QueryAsync<CallData>(
            "select caller_number, state, personal_data_removed_at from calls where id = @id", new { id = waiting.CallId })));

        await (await driver.PlatformAsync()).ReportAsync(waiting.PlatformCallId, PlatformEventTypes.Ended);
    }

    [Fact]
    public async Task ACallbackPastItsRetentionTimeLosesNumberNameAndNotesAndTakesNoNewNote()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var op = await driver.OperatorAsync();
        var call = await world.CallbackAsync(op, PersonalDataWorld.NewCaller(), "Stina Återring", "om hemtjänst", app.Clock!.GetUtcNow().AddHours(1));
        var id = await world.ScalarAsync<Guid>("select id from callbacks where call_id = @call", new { call });
        app.Clock.Advance(TimeSpan.FromHours(3));
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsJsonAsync($"/api/callbacks/{id}/follow-up", new { result = "missed", note = "Stina svarade inte" })).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(PersonalDataApp.CallbacksDays) + TimeSpan.FromHours(1));

        await RunAsync();

        Assert.Equal(1, await world.ScalarAsync<long>("""
            select count(*) from callbacks b join callback_follow_ups f on f.callback_id = b.id
            where b.id = @id and b.caller_number is null and b.caller_name is null and b.note is null and f.note is null
              and f.result = 'missed' and b.personal_data_removed_at is not null
            """, new { id }));
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from audit_log where entity_id = @id and after::text like '%Stina%'", new { id = id.ToString() }));
        editor = await app.ClientForAsync(Roles.Editor, "2403");
        var withNote = await editor.PutAsJsonAsync($"/api/callbacks/{id}/follow-up", new { result = "kept", note = "Stina ringde" });
        Assert.Equal(HttpStatusCode.BadRequest, withNote.StatusCode);
        Assert.Contains("note", (await withNote.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>())!.Errors.Keys);
        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsJsonAsync($"/api/callbacks/{id}/follow-up", new { result = "kept" })).StatusCode);
    }

    [Fact]
    public async Task RunsAreRecordedWithTheirCountsAndShownWithTheSettingsInForce()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var op = await driver.OperatorAsync();
        await world.AnsweredAsync(op, PersonalDataWorld.NewCaller());
        await world.AnsweredAsync(op, PersonalDataWorld.NewCaller());
        app.Clock!.Advance(TimeSpan.FromDays(PersonalDataApp.CallerNumbersDays + 1));

        var run = await RunAsync();

        Assert.True(run.Calls >= 2, $"{run.Calls} calls");
        Assert.Equal(RetentionTriggers.Manual, run.Trigger);
        Assert.Equal("completed", run.Outcome);
        var admin = await app.ClientForAsync(Roles.Administrator);
        var overview = (await admin.GetFromJsonAsync<OverviewAnswer>("/api/personal-data/retention"))!;
        Assert.Equal(PersonalDataApp.CallerNumbersDays, overview.Settings.CallerNumbersDays);
        Assert.Equal(PersonalDataApp.FaultReportsDays, overview.Settings.FaultReportsDays);
        Assert.Equal("Europe/Stockholm", overview.TimeZone);
        Assert.Null(overview.NextRunAt); // the daily run is off in this app
        var shown = Assert.Single(overview.Runs, r => r.Id == run.Id);
        Assert.Equal(run with { }, shown);
        Assert.Equal(run.Calls, await world.ScalarAsync<int>("select calls from retention_runs where id = @id", new { id = run.Id }));
        Assert.Contains("\"callerNumbersDays\": " + PersonalDataApp.CallerNumbersDays,
            await world.ScalarAsync<string>("select settings::text from retention_runs where id = @id", new { id = run.Id }));
    }

    [Fact]
    public async Task ARunAskedForWhileAnotherHoldsTheLockIsRefusedAndRecordsNothing()
    {
        var world = new PersonalDataWorld(app, null!);
        var runsBefore = await world.ScalarAsync<long>("select count(*) from retention_runs");
        await using var other = new NpgsqlConnection(app.DatabaseConnectionString);
        await other.OpenAsync();
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({Retention.LockClass}, 1)", other))
        {
            await take.ExecuteNonQueryAsync();
        }

        var admin = await app.ClientForAsync(Roles.Administrator);
        var refused = await admin.PostAsync("/api/personal-data/retention/run", null);
        var direct = await app.Service<Retention>().RunAsync(RetentionTriggers.Scheduled, "test", CancellationToken.None);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Null(direct);
        Assert.Equal(runsBefore, await world.ScalarAsync<long>("select count(*) from retention_runs"));
        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({Retention.LockClass}, 1)", other))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/personal-data/retention/run", null)).StatusCode);
    }

    [Theory]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Operator)]
    public async Task OnlyAdministratorsSeeOrStartRuns(string role)
    {
        var client = await app.ClientForAsync(role);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/personal-data/retention")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/personal-data/retention/run", null)).StatusCode);
    }

    private sealed record CallData(string? CallerNumber, string State, DateTimeOffset? PersonalDataRemovedAt);

    private sealed record OverviewAnswer(RetentionOptions Settings, string TimeZone, DateTimeOffset? NextRunAt, IReadOnlyList<RetentionRun> Runs);
}
