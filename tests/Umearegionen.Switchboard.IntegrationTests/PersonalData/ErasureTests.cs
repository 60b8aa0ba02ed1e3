using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

public sealed class ErasureTests(PersonalDataApp app) : IClassFixture<PersonalDataApp>
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task ErasureByNumberRemovesWhatIsOverAndKeepsWhatIsStillNeededWithItsCode()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var written = "0" + caller[3..5] + "-" + caller[5..8] + " " + caller[8..10] + " " + caller[10..];
        var op = await driver.OperatorAsync();
        var answered = await world.AnsweredAsync(op, caller, $"Asked us to call {caller} about snow clearing");
        var sentMessage = await world.MessageAsync(op, caller, "Per Persson", "Please call about the invoice", sent: true);
        var unsentMessage = await world.MessageAsync(op, caller, "Per Persson", "Second message", sent: false);
        var pendingCallback = await world.CallbackAsync(op, caller, "Per Persson", "about the permit", app.Clock!.GetUtcNow().AddHours(2));
        var faultReport = await world.FaultReportAsync(op, caller, caller, "Per Persson");
        await op.SetStatusAsync(OperatorStatuses.Paused, "test");
        var waiting = await world.WaitingCallAsync(caller);
        var otherCaller = PersonalDataWorld.NewCaller();
        await op.SetStatusAsync(OperatorStatuses.Available);
        var someoneElse = await world.AnsweredAsync(op, otherCaller);

        var response = await world.EraseAsync(new { number = written, reason = "Request from the data subject, case 2026-123" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;
        Assert.Equal(new ErasedCounts(Calls: 5, Callbacks: 0, Messages: 1, FaultReports: 0), answer.Erased);
        var expected = new[]
        {
            (PersonalDataKinds.Call, waiting.CallId, KeptCodes.CallInProgress),
            (PersonalDataKinds.Callback, await world.ScalarAsync<Guid>("select id from callbacks where call_id = @pendingCallback", new { pendingCallback }), KeptCodes.CallbackPending),
            (PersonalDataKinds.Message, await world.ScalarAsync<Guid>("select id from messages where call_id = @unsentMessage", new { unsentMessage }), KeptCodes.MessageUnsent),
            (PersonalDataKinds.FaultReport, await world.ScalarAsync<Guid>("select id from fault_reports where call_id = @faultReport", new { faultReport }), KeptCodes.PublicRecord),
        };
        Assert.Equal(expected.OrderBy(k => k.Item3), answer.Kept.Select(k => (k.Kind, k.Id, k.Code)).OrderBy(k => k.Code));
        Assert.All(answer.Kept, k => Assert.True(k.Reason.Length > 40, k.Reason));

        // The finished calls lost the number (and the answered call its note); the waiting call and the other caller kept theirs.
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from calls where caller_number = @caller and state in ('completed', 'abandoned')", new { caller }));
        Assert.Equal(5, await world.ScalarAsync<long>("select count(*) from calls where caller_number is null and personal_data_removed_at is not null and id = any(@ids)",
            new { ids = new[] { answered, sentMessage, unsentMessage, pendingCallback, faultReport } }));
        Assert.Equal(caller, await world.ScalarAsync<string>("select caller_number from calls where id = @id", new { id = waiting.CallId }));
        Assert.Equal(otherCaller, await world.ScalarAsync<string>("select caller_number from calls where id = @someoneElse", new { someoneElse }));
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from call_events where call_id = @answered and data::text like '%snow clearing%'", new { answered }));
        Assert.Null(await world.ScalarAsync<string?>("select text from messages where call_id = @sentMessage", new { sentMessage }));
        Assert.Equal("Second message", await world.ScalarAsync<string>("select text from messages where call_id = @unsentMessage", new { unsentMessage }));
        Assert.Equal(caller, await world.ScalarAsync<string>("select contact_number from fault_reports where call_id = @faultReport", new { faultReport }));

        await (await driver.PlatformAsync()).ReportAsync(waiting.PlatformCallId, PlatformEventTypes.Ended);
    }

    [Fact]
    public async Task ErasureRemovesTheNumberFromWhatTheArrivalAndTheEndShowAsBefore()
    {
        // docs/decisions/0032: the received and completed events show the call's dialled number, menu topic, priority,
        // outcome and wrap-up category without storing them; a value equal to the caller's number is still shown as null after erasure, as when stored.
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        var call = await (await driver.PlatformAsync()).PlaceCallAsync(new NewCallReport("pd-" + Guid.NewGuid().ToString("N"), caller, RoutingDriver.Bjurholm, caller));
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(call.CallId, caller, null));
        const string Shown = "select string_agg(data::text, ' | ' order by id) from call_history_events where call_id = @id and type in ('received', 'completed')";
        var before = await world.ScalarAsync<string>(Shown, new { id = call.CallId });

        var response = await world.EraseAsync(new { number = caller, reason = "Request from the data subject, case 2026-124" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            $$"""{"priority": 0, "menuTopic": "{{caller}}", "dialledNumber": "+4693214000"} | {"details": {"note": null}, "outcome": "answered", "wrapUpCategory": "{{caller}}"}""",
            before);
        Assert.Equal(
            """{"priority": 0, "menuTopic": null, "dialledNumber": "+4693214000"} | {"details": {}, "outcome": "answered", "wrapUpCategory": null}""",
            await world.ScalarAsync<string>(Shown, new { id = call.CallId }));
        Assert.Equal(caller, await world.ScalarAsync<string>("select menu_topic from calls where id = @id", new { id = call.CallId }));
    }

    [Fact]
    public async Task ErasureIsRecordedInTheAccessLogWithTheSubjectHashedAndWhatWasKept()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        await world.AnsweredAsync(op, caller);
        await world.FaultReportAsync(op, caller, caller, null);

        var answer = (await (await world.EraseAsync(new { number = caller, reason = "Request, case 77" })).Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;

        Assert.Equal(2, answer.Erased.Calls);
        var hash = await app.Service<AccessLog>().HashSubjectAsync(caller, CancellationToken.None);
        var entries = await world.QueryAsync<(string Action, string TargetKind, string Detail, int RecordCount, string ActorRole)>(
            "select action, target_kind, detail, record_count, actor_role from access_log where subject_hash = @hash order by id", new { hash });
        Assert.Equal(
            [
                (AccessActions.RegisterErasure, "phone_number", "Request, case 77", 2, Roles.Administrator),
                (AccessActions.RegisterErasureRefused, "phone_number", "Request, case 77 (kept: public-record ×1)", 1, Roles.Administrator),
            ], entries);
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from access_log where detail like '%' || @digits || '%'", new { digits = caller[3..] }));
    }

    [Fact]
    public async Task ErasureByNameMatchesRegardlessOfCaseAndSpacesAndOnlyOnceTheCallbackWindowHasPassed()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var name = "Anna " + Guid.NewGuid().ToString("N")[..8] + "son";
        var op = await driver.OperatorAsync();
        var callback = await world.CallbackAsync(op, PersonalDataWorld.NewCaller(), "  " + name.ToUpperInvariant().Replace(" ", "   ") + " ", "ring",
            app.Clock!.GetUtcNow().AddHours(1));
        var message = await world.MessageAsync(op, PersonalDataWorld.NewCaller(), name.ToLowerInvariant(), "Hello", sent: true);
        var other = await world.MessageAsync(op, PersonalDataWorld.NewCaller(), name + "x", "Hello", sent: true);

        var first = (await (await world.EraseAsync(new { name, reason = "Request, case 78" })).Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;
        app.Clock.Advance(TimeSpan.FromHours(3));
        var second = (await (await world.EraseAsync(new { name = $" {name} ", reason = "Request, case 78 again" })).Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;

        Assert.Equal(new ErasedCounts(0, 0, 1, 0), first.Erased);
        Assert.Equal(KeptCodes.CallbackPending, Assert.Single(first.Kept).Code);
        Assert.Equal(new ErasedCounts(0, 1, 0, 0), second.Erased);
        Assert.Empty(second.Kept);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from callbacks where call_id = @callback and caller_name is null and caller_number is null and note is null and personal_data_removed_at is not null",
            new { callback }));
        Assert.Null(await world.ScalarAsync<string?>("select caller_name from messages where call_id = @message", new { message }));
        Assert.Equal(name + "x", await world.ScalarAsync<string>("select caller_name from messages where call_id = @other", new { other }));
    }

    [Fact]
    public async Task FaultReportIsErasedOnceItsRetentionTimeHasPassed()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        var call = await world.FaultReportAsync(op, caller, caller, "Olle Felanmälare");
        app.Clock!.Advance(TimeSpan.FromDays(PersonalDataApp.FaultReportsDays) + TimeSpan.FromMinutes(1));

        var answer = (await (await world.EraseAsync(new { number = caller, reason = "Request, case 79" })).Content.ReadFromJsonAsync<ErasureAnswer>(Json))!;

        Assert.Equal(new ErasedCounts(1, 0, 0, 1), answer.Erased);
        Assert.Empty(answer.Kept);
        Assert.Equal(1, await world.ScalarAsync<long>("""
            select count(*) from fault_reports
            where call_id = @call and what is null and location is null and contact_name is null and contact_number is null
              and personal_data_removed_at is not null and municipality_code = '2460'
            """, new { call }));
    }

    [Theory]
    [InlineData("""{ "number": "070-123 45 67", "name": "Anna", "reason": "case 1" }""", "number")]
    [InlineData("""{ "reason": "case 1" }""", "number")]
    [InlineData("""{ "number": "not a number", "reason": "case 1" }""", "number")]
    [InlineData("""{ "name": "   ", "reason": "case 1" }""", "name")]
    [InlineData("""{ "number": "070-123 45 67" }""", "reason")]
    [InlineData("""{ "number": "070-123 45 67", "reason": " " }""", "reason")]
    [InlineData("""{ "number": "070-123 45 67", "reason": "The person at +46 70 123 45 67 asked" }""", "reason")]
    [InlineData("""{ "name": "Anna Andersson", "reason": "anna  andersson asked by phone" }""", "reason")]
    public async Task BadRequestIsRefusedNamingTheField(string body, string field)
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsync("/api/personal-data/erasures", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!;
        Assert.Contains(field, problem.Errors.Keys);
    }

    [Fact]
    public async Task ReasonLongerThan500CharactersIsRefused()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsJsonAsync("/api/personal-data/erasures", new { number = "070-123 45 67", reason = new string('x', 501) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reason", (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
    }

    [Fact]
    public async Task TheAnswerHasExactlyTheAgreedShape()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        await world.FaultReportAsync(op, caller, caller, null);

        var json = System.Text.Json.JsonDocument.Parse(await (await world.EraseAsync(new { number = caller, reason = "case 83" })).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(["erased", "kept"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["calls", "callbacks", "messages", "faultReports", "guidance"], json.GetProperty("erased").EnumerateObject().Select(p => p.Name));
        var kept = Assert.Single(json.GetProperty("kept").EnumerateArray());
        Assert.Equal(["kind", "id", "code", "reason"], kept.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("fault_report", "public-record"), (kept.GetProperty("kind").GetString(), kept.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task ReasonMayHoldAWordThatOnlyContainsTheName()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsJsonAsync("/api/personal-data/erasures", new { name = "Al", reason = "Also asked for by letter, case 80" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Editor)]
    public async Task OnlyAdministratorsMayErase(string role)
    {
        var client = await app.ClientForAsync(role, role == Roles.Editor ? "2480" : null);

        var response = await client.PostAsJsonAsync("/api/personal-data/erasures", new { number = "070-123 45 67", reason = "case 1" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
