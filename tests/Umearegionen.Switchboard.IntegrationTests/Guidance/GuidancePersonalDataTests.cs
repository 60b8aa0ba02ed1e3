using Umearegionen.Switchboard.IntegrationTests.PersonalData;

namespace Umearegionen.Switchboard.IntegrationTests.Guidance;

/// <summary>The numbers and addresses links were sent to: retention, register extracts and erasure (docs/personal-data.md).</summary>
public sealed class GuidancePersonalDataTests(GuidanceApp app) : IClassFixture<GuidanceApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Row(string? Recipient, string Status, DateTimeOffset? PersonalDataRemovedAt, string? LastError);

    private async Task<Row> RowAsync(PersonalDataWorld world, Guid id) =>
        Assert.Single(await world.QueryAsync<Row>(
            "select recipient, status, personal_data_removed_at, last_error from guidance_sends where id = @id", new { id }));

    [Fact]
    public async Task ASentLinksRecipientIsRemovedGuidanceDaysAfterItWasSentAndAQueuedOneIsKept()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var data = new PersonalDataWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        var sms = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));
        await world.NextUpdateAsync(sms.Id, GuidanceStatuses.Sent);
        // No mail server: the e-mail waits, and keeps its address while it does.
        var email = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: "anna@example.se"));

        app.Clock!.Advance(TimeSpan.FromDays(GuidanceApp.GuidanceDays - 1));
        var early = await RunAsync();
        Assert.Equal(0, early.GuidanceSends);
        Assert.Equal(sms.Recipient, (await RowAsync(data, sms.Id)).Recipient);

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        var run = await RunAsync();

        Assert.True(run.GuidanceSends >= 1);
        // The run counts exactly the links whose recipient it removed, and the runs' view shows that count.
        Assert.Equal(run.GuidanceSends, await data.ScalarAsync<int>(
            "select count(*) from guidance_sends where personal_data_removed_at = (select started_at from retention_runs where id = @id)", new { id = run.Id }));
        var admin = await app.ClientForAsync(Roles.Administrator);
        var overview = await admin.GetFromJsonAsync<JsonElement>("/api/personal-data/retention");
        var shown = Assert.Single(overview.GetProperty("runs").EnumerateArray(), r => r.GetProperty("id").GetInt64() == run.Id);
        Assert.Equal(run.GuidanceSends, shown.GetProperty("guidanceSends").GetInt32());
        Assert.Equal(GuidanceApp.GuidanceDays, overview.GetProperty("settings").GetProperty("guidanceDays").GetInt32());
        var removed = await RowAsync(data, sms.Id);
        Assert.Equal((null, GuidanceStatuses.Sent), (removed.Recipient, removed.Status));
        Assert.NotNull(removed.PersonalDataRemovedAt);
        Assert.Equal(("anna@example.se", GuidanceStatuses.Queued), ((await RowAsync(data, email.Id)).Recipient, (await RowAsync(data, email.Id)).Status));
    }

    [Fact]
    public async Task TheExtractListsLinksSentToTheNumberOrDuringItsCallsAndErasureRemovesThemAndStopsOneNotYetSent()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var data = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var (op, call) = await world.OperatorWithCallAsync(caller);
        var answer = await world.AnswerAsync();
        var toCaller = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));
        await world.NextUpdateAsync(toCaller.Id, GuidanceStatuses.Sent);
        var byEmail = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: "per@example.se"));
        // Someone else calls and asks for the link to be sent to the subject's number.
        await op.AnswerAsync(call.Id);
        await op.SetStatusAsync(OperatorStatuses.Available);
        var otherCall = await data.ConnectedCallAsync(op, PersonalDataWorld.NewCaller());
        var toNumber = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(otherCall.Id, "sms", AnswerId: answer.Id, To: caller));
        await world.NextUpdateAsync(toNumber.Id, GuidanceStatuses.Sent);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var extract = await admin.GetFromJsonAsync<JsonElement>("/api/personal-data/extract?number=" + Uri.EscapeDataString(caller));

        var listed = extract.GetProperty("guidance").EnumerateArray()
            .Select(g => (g.GetProperty("id").GetGuid(), g.GetProperty("recipient").GetString()!)).OrderBy(g => g.Item1).ToList();
        Assert.Equal(new[] { (toCaller.Id, caller), (byEmail.Id, "per@example.se"), (toNumber.Id, caller) }.OrderBy(g => g.Item1), listed);

        var erasure = await data.EraseAsync(new { number = caller, reason = "Request from the data subject, case 2026-7" });

        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        var answerBody = (await erasure.Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;
        Assert.Equal(3, answerBody.Erased.Guidance);
        foreach (var id in new[] { toCaller.Id, byEmail.Id, toNumber.Id })
        {
            Assert.Null((await RowAsync(data, id)).Recipient);
        }

        var stopped = await RowAsync(data, byEmail.Id);
        Assert.Equal((null, GuidanceStatuses.Failed, "Erased on request before it was sent."), (stopped.Recipient, stopped.Status, stopped.LastError));
        var after = await admin.GetFromJsonAsync<JsonElement>("/api/personal-data/extract?number=" + Uri.EscapeDataString(caller));
        Assert.DoesNotContain(after.GetProperty("guidance").EnumerateArray(), g => g.GetProperty("recipient").GetString() is not null);
    }

    private async Task<RetentionRun> RunAsync()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var response = await admin.PostAsync("/api/personal-data/retention/run", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RetentionRun>())!;
    }
}
