using Umearegionen.Switchboard.Routing;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class CallHistoryTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static readonly Destination Social = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");

    private static async Task<(OperatorClient Op, CallReceipt Call, string Caller)> AnsweredCallAsync(RoutingDriver world, string? caller = null)
    {
        caller ??= SimulatedPlatform.RandomCaller();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(caller: caller);
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.AnswerAsync(call.CallId, "information");
        // Out of the way of the test's next call.
        await op.SetStatusAsync(OperatorStatuses.Paused, "test");
        return (op, call, caller);
    }

    private static async Task<T> OkAsync<T>(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    private async Task<IReadOnlyList<AccessLogEntry>> AccessLogAsync(string query)
    {
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        return await OkAsync<List<AccessLogEntry>>(await admin.GetAsync("/api/access-log?" + query));
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Editor)]
    public async Task OperatorsAndEditorsMayNotReadCallHistory(string role)
    {
        await using var world = new RoutingDriver(app);
        var (_, call, _) = await AnsweredCallAsync(world);
        var client = await RoutingDriver.ClientAsync(app, role, role == Roles.Editor ? "2480" : null);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/calls")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/calls/{call.CallId}")).StatusCode);
    }

    [Fact]
    public async Task ManagerSeesTheHistoryWithoutTheCallersNumberAndCannotSearchByIt()
    {
        await using var world = new RoutingDriver(app);
        var (_, call, caller) = await AnsweredCallAsync(world);
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var manager = app.CreateClient();
        manager.DefaultRequestHeaders.Authorization = new("Bearer", RoutingDriver.ServiceToken(app, account));

        var listResponse = await manager.GetAsync($"/api/calls?platformCallId={call.PlatformCallId}");
        var listText = await listResponse.Content.ReadAsStringAsync();
        var page = await OkAsync<CallPage>(listResponse);
        var detailResponse = await manager.GetAsync($"/api/calls/{call.CallId}");
        var detailText = await detailResponse.Content.ReadAsStringAsync();
        var detail = await OkAsync<CallHistoryView>(detailResponse);
        var byNumber = await manager.GetAsync($"/api/calls?number={Uri.EscapeDataString(caller)}");

        var listed = Assert.Single(page.Calls);
        Assert.Equal(call.CallId, listed.Id);
        Assert.Null(listed.CallerNumber);
        Assert.Equal(PersonalDataStatus.Hidden, listed.CallerNumberStatus);
        Assert.Null(detail.Call.CallerNumber);
        Assert.Equal(PersonalDataStatus.Hidden, detail.Call.CallerNumberStatus);
        Assert.DoesNotContain(caller[3..], listText);
        Assert.DoesNotContain(caller[3..], detailText);
        Assert.Equal(["received", "offered", "accepted", "completed"], detail.Timeline.Select(e => e.Type));
        Assert.Equal(HttpStatusCode.Forbidden, byNumber.StatusCode);
        using var problem = JsonDocument.Parse(await byNumber.Content.ReadAsStringAsync());
        Assert.Contains("Only administrators may search calls by the caller's number", problem.RootElement.GetProperty("detail").GetString());
        Assert.Empty(await AccessLogAsync($"actorId={account.Id}"));
    }

    [Fact]
    public async Task AdministratorSeesTheNumberAndEachViewAndNumberSearchIsInTheAccessLog()
    {
        await using var world = new RoutingDriver(app);
        var (_, call, caller) = await AnsweredCallAsync(world, "070-" + Random.Shared.Next(1000000, 9999999));
        var (account, _) = await app.CreateAccountAsync(Roles.Administrator);
        var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", RoutingDriver.ServiceToken(app, account));

        var opened = await admin.GetAsync($"/api/calls/{call.CallId}");
        var detail = await OkAsync<CallHistoryView>(opened);
        var found = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?number={Uri.EscapeDataString(caller)}"));

        Assert.Equal(PhoneNumbers.Normalise(caller), detail.Call.CallerNumber);
        Assert.Equal("no-store", opened.Headers.CacheControl?.ToString());
        Assert.Equal(PersonalDataStatus.Shown, detail.Call.CallerNumberStatus);
        Assert.Equal(call.CallId, Assert.Single(found.Calls).Id);
        var entries = await AccessLogAsync($"actorId={account.Id}");
        Assert.All(entries, e => Assert.Equal(AccessActions.CallHistoryViewed, e.Action));
        var view = Assert.Single(entries, e => e.TargetKind == "call");
        Assert.Equal(call.CallId.ToString(), view.TargetId);
        Assert.False(view.SubjectSearched);
        var searched = Assert.Single(entries, e => e.TargetKind == "phone_number");
        Assert.True(searched.SubjectSearched);
        Assert.Equal(1, searched.RecordCount);
        // "Who has looked up my number?" finds the search, by the number written another way.
        var bySubject = await AccessLogAsync($"number={Uri.EscapeDataString(PhoneNumbers.Normalise(caller))}");
        Assert.Contains(bySubject, e => e.ActorId == account.Id.ToString() && e.TargetKind == "phone_number");
        Assert.DoesNotContain(PhoneNumbers.Normalise(caller)[3..], JsonSerializer.Serialize(entries));
    }

    [Fact]
    public async Task CallsAreFoundByNumberTimeAndPlatformIdNewestFirstInPages()
    {
        await using var world = new RoutingDriver(app);
        var caller = SimulatedPlatform.RandomCaller();
        var first = (await AnsweredCallAsync(world, caller)).Call;
        app.Clock!.Advance(TimeSpan.FromMinutes(10));
        var middleAt = app.Clock.GetUtcNow();
        var second = (await AnsweredCallAsync(world, caller)).Call;
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var other = (await AnsweredCallAsync(world)).Call;
        // Still waiting (no one is available): found by number too, from the queue's own index.
        var waiting = await world.CallAsync(caller: caller);
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        var number = Uri.EscapeDataString(caller);

        var all = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?number={number}"));
        var page1 = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?number={number}&limit=2"));
        var page2 = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?number={number}&limit=2&before={page1.NextBefore}"));
        var inRange = await OkAsync<CallPage>(await admin.GetAsync(
            $"/api/calls?number={number}&from={Uri.EscapeDataString(middleAt.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(middleAt.AddMinutes(5).ToString("O"))}"));
        var byPlatformId = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?platformCallId={other.PlatformCallId}"));

        Assert.Equal([waiting.CallId, second.CallId, first.CallId], all.Calls.Select(c => c.Id));
        Assert.Equal(CallStates.Queued, all.Calls[0].State);
        Assert.Null(all.NextBefore);
        Assert.Equal([waiting.CallId, second.CallId], page1.Calls.Select(c => c.Id));
        Assert.Equal(second.CallId.ToString(), page1.NextBefore);
        Assert.Equal([first.CallId], page2.Calls.Select(c => c.Id));
        Assert.Equal([second.CallId], inRange.Calls.Select(c => c.Id));
        Assert.Equal(other.CallId, Assert.Single(byPlatformId.Calls).Id);
        Assert.Equal(CallOutcomes.Answered, byPlatformId.Calls[0].Outcome);
    }

    [Fact]
    public async Task TimelineTellsAnOfferDeclinedOneNotTakenInTimeThenAcceptedConsultedAndTransferred()
    {
        await using var world = new RoutingDriver(app);
        var decliner = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var slow = await world.OperatorAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var taker = await world.OperatorAsync();
        var call = await world.CallAsync(topic: "vatten");
        await decliner.NextOfferAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await decliner.Connection.InvokeAsync("DeclineOffer", call.CallId);
        Assert.Equal(call.CallId, (await slow.NextOfferAsync()).Call.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(call.CallId, (await taker.NextOfferAsync()).Call.Id);
        await taker.AcceptAsync(call.CallId);
        await taker.Connection.InvokeAsync<CallView>("StartConsultation", new ConsultRequest(call.CallId, Social));
        await taker.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(call.CallId, "attended", Social, "transfer-unit"));
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);

        var history = await OkAsync<CallHistoryView>(await manager.GetAsync($"/api/calls/{call.CallId}"));

        var names = await world.ScalarAsync<string>(
            "select string_agg(display_name, '|' order by array_position(@ids, id)) from accounts where id = any(@ids)",
            new { ids = new[] { decliner.Id, slow.Id, taker.Id } });
        var (declinerName, slowName, takerName) = (names.Split('|')[0], names.Split('|')[1], names.Split('|')[2]);
        var t = history.Timeline;
        Assert.Equal(
            ["received", "offered", "offer_declined", "offered", "offer_timed_out", "offered", "accepted", "consultation_started", "completed"],
            t.Select(e => e.Type));
        Assert.Contains("menu choice \"vatten\"", t[0].Summary);
        Assert.Equal((declinerName, "declined"), (t[1].OperatorName, t[1].OfferEnded));
        Assert.Equal((slowName, "timed_out"), (t[3].OperatorName, t[3].OfferEnded));
        Assert.Equal((takerName, "accepted"), (t[5].OperatorName, t[5].OfferEnded));
        Assert.Equal($"Offered to {slowName}; not accepted in time.", t[3].Summary);
        Assert.Equal(("operator", takerName), (t[6].Actor, t[6].ActorName));
        Assert.Equal(Social.Name, t[7].To?.Name);
        Assert.Equal((CallOutcomes.Transferred, "attended", "transfer-unit"), (t[8].Outcome, t[8].TransferMode, t[8].WrapUpCategory));
        Assert.Equal(Social, t[8].To);
        Assert.Contains($"{takerName} transferred the call (attended) to {Social.Name}", t[8].Summary);
        Assert.True(t.Zip(t.Skip(1)).All(p => p.First.At <= p.Second.At));
        Assert.Equal(takerName, history.Call.OperatorName);
        Assert.Null(history.Message);
    }

    [Fact]
    public async Task AnOfferOnArrivalIsOneStoredEventAndTwoStepsOfTheTimeline()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(topic: "bygglov");
        Assert.Equal(CallStates.Offered, call.State);
        await op.NextOfferAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(3));
        await op.AcceptAsync(call.CallId);
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);

        var stored = await world.ScalarAsync<string>(
            "select string_agg(type || ' ' || coalesce(data -> 'offer' ->> 'operatorId', '-'), ', ' order by id) from call_events where call_id = @id",
            new { id = call.CallId });
        var history = await OkAsync<CallHistoryView>(await admin.GetAsync($"/api/calls/{call.CallId}"));

        // One row stored: the arrival with its offer in its data.
        Assert.Equal($"received {op.Id}, accepted -", stored);
        var name = await world.ScalarAsync<string>("select display_name from accounts where id = @id", new { id = op.Id });
        var t = history.Timeline;
        Assert.Equal(["received", "offered", "accepted"], t.Select(e => e.Type));
        Assert.Contains("menu choice \"bygglov\"", t[0].Summary);
        Assert.Equal(("telephony", "intake", "operator"), (t[0].Actor, t[1].Actor, t[2].Actor));
        Assert.Equal(t[0].At, t[1].At);
        Assert.Equal(t[1].At + TimeSpan.FromSeconds(3), t[2].At);
        Assert.Equal((name, "accepted", $"Offered to {name}; accepted."), (t[1].OperatorName, t[1].OfferEnded, t[1].Summary));
        // The offer's step has an id of its own, between the arrival's and the next event's.
        Assert.Equal(t[0].Id + 1, t[1].Id);
        Assert.True(t[2].Id > t[1].Id);
        Assert.Equal(op.Id, await world.ScalarAsync<Guid>(
            $"select operator_id from {OfferRows.Table} offers where call_id = @id and resolution = 'accepted'", new { id = call.CallId }));
    }

    [Fact]
    public async Task TheArrivalAndTheEndStoreNoneOfTheCallsOwnColumnsAndTheHistoryShowsThemAsBefore()
    {
        // docs/decisions/0032: the received event no longer repeats the dialled number, menu topic and priority, nor
        // the completed event the outcome and wrap-up category, which the call holds; the view shows them in the event's data exactly as they were stored before.
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var offered = await world.CallAsync(topic: "bygglov", priority: 2);
        var other = await world.CallAsync(dialled: RoutingDriver.Vannas);
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        // A received event stored before 0032 (its data holds dialledNumber) is shown as it is stored.
        var old = Guid.NewGuid();
        await world.ScalarAsync<int>("""
            with k as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic, priority, state,
                                   outcome, queued_at, completed_at, caller_left_at)
                values (@old, 'old-' || @old, '+46701234567', '+4693214000', '2403', 'vatten', 1, 'abandoned', 'abandoned', now(), now(), now())
                returning id
            )
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'received', now(), 'telephony', '{"dialledNumber": "+4693214000", "priority": 1}' from k
            returning 1
            """, new { old });

        var stored = await world.ScalarAsync<string>(
            "select string_agg((data - 'offer')::text, ' ' order by call_id) from call_events where call_id in (@a, @b) and type = 'received'",
            new { a = offered.CallId, b = other.CallId });
        var shown = await world.ScalarAsync<string>("""
            select string_agg(data::text, ' | ' order by k.platform_call_id)
            from call_history_events e join calls k on k.id = e.call_id
            where e.call_id in (@a, @b, @old) and e.type = 'received'
            """, new { a = offered.CallId, b = other.CallId, old });
        var timeline = (await OkAsync<CallHistoryView>(await admin.GetAsync($"/api/calls/{offered.CallId}"))).Timeline;

        Assert.Equal("{} {}", stored);
        var byPlatformId = new[] { (offered.PlatformCallId, """{"priority": 2, "menuTopic": "bygglov", "dialledNumber": "+4693214000"}"""),
                                   (other.PlatformCallId, """{"priority": 0, "menuTopic": null, "dialledNumber": "+4693514000"}"""),
                                   ("old-" + old, """{"priority": 1, "dialledNumber": "+4693214000"}""") };
        Assert.Equal(string.Join(" | ", byPlatformId.OrderBy(p => p.Item1, StringComparer.Ordinal).Select(p => p.Item2)), shown);
        Assert.Equal(["received", "offered"], timeline.Select(e => e.Type));
        Assert.Contains("dialled +4693214000", timeline[0].Summary);
        Assert.Contains("menu choice \"bygglov\"", timeline[0].Summary);
        await op.NextOfferAsync();
        await op.AcceptAsync(offered.CallId);
        await op.Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(offered.CallId, "information", "Asked about the permit"));
        await (await world.PlatformAsync()).ReportAsync(other.PlatformCallId, PlatformEventTypes.Ended);
        // The completed event holds neither outcome nor wrap-up category; the view shows both from the call. A
        // completed event stored before 0032 (its data holds outcome) is shown as it is.
        await world.ScalarAsync<int>("""
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            values (@old, 'completed', now(), 'sweeper', '{"outcome": "abandoned", "details": null}') returning 1
            """, new { old });

        Assert.Equal("""{"details": {"note": "Asked about the permit"}}""", await world.ScalarAsync<string>(
            "select (data - 'instructionSeq')::text from call_events where call_id = @id and type = 'completed'", new { id = offered.CallId }));
        Assert.Equal(
            """{"details": {"note": "Asked about the permit"}, "outcome": "answered", "wrapUpCategory": "information"}""",
            await world.ScalarAsync<string>("select data::text from call_history_events where call_id = @id and type = 'completed'", new { id = offered.CallId }));
        Assert.Equal("""{"details": null, "outcome": "abandoned"}""",
            await world.ScalarAsync<string>("select data::text from call_history_events where call_id = @old and type = 'completed'", new { old }));
        var completed = (await OkAsync<CallHistoryView>(await admin.GetAsync($"/api/calls/{offered.CallId}"))).Timeline.Single(e => e.Type == "completed");
        Assert.Equal((CallOutcomes.Answered, "information"), (completed.Outcome, completed.WrapUpCategory));
    }

    [Fact]
    public async Task CallEndingInAMessageShowsTheMessageTextToAdministratorsOnly()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", null, "Eva Ek", "eva.ek@example.org", "Ring Per om fakturan.", "message", "Per Persson"));
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);

        var managerView = await OkAsync<CallHistoryView>(await manager.GetAsync($"/api/calls/{call.CallId}"));
        var adminView = await OkAsync<CallHistoryView>(await admin.GetAsync($"/api/calls/{call.CallId}"));

        var done = managerView.Timeline[^1];
        Assert.Equal((CallOutcomes.Message, "Eva Ek"), (done.Outcome, done.To?.Name));
        Assert.Equal(("Eva Ek", "eva.ek@example.org", PersonalDataStatus.Hidden),
            (managerView.Message?.RecipientName, managerView.Message?.RecipientEmail, managerView.Message?.PersonalData));
        Assert.Null(managerView.Message!.Text);
        Assert.Null(managerView.Message.CallerName);
        Assert.Null(managerView.Message.CallerNumber);
        Assert.Equal((PersonalDataStatus.Shown, "Ring Per om fakturan.", "Per Persson"),
            (adminView.Message?.PersonalData, adminView.Message?.Text, adminView.Message?.CallerName));
        Assert.Equal(adminView.Call.CallerNumber, adminView.Message!.CallerNumber);
    }

    [Fact]
    public async Task AfterAnErasureTheHistoryStillTellsTheCallButSaysTheNumberWasRemoved()
    {
        await using var world = new RoutingDriver(app);
        var caller = SimulatedPlatform.RandomCaller();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(caller: caller);
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            call.CallId, "2460", "Vattenläcka", "Storgatan 9, Vännäs", caller, "fault-report", "Karin"));
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        var erased = await admin.PostAsJsonAsync("/api/personal-data/erasures", new { number = caller, reason = "Begäran från den registrerade" });
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);

        var history = await OkAsync<CallHistoryView>(await admin.GetAsync($"/api/calls/{call.CallId}"));
        var found = await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?platformCallId={call.PlatformCallId}"));

        Assert.Equal((null, PersonalDataStatus.Removed), (history.Call.CallerNumber, history.Call.CallerNumberStatus));
        Assert.Equal(PersonalDataStatus.Removed, Assert.Single(found.Calls).CallerNumberStatus);
        // The fault report is a public record the erasure kept (docs/personal-data.md): still shown in full.
        using var answer = JsonDocument.Parse(await erased.Content.ReadAsStringAsync());
        Assert.Equal("public-record", answer.RootElement.GetProperty("kept").EnumerateArray().Single().GetProperty("code").GetString());
        Assert.Equal((PersonalDataStatus.Shown, "Vattenläcka"), (history.FaultReport?.PersonalData, history.FaultReport?.What));
        Assert.Equal(["received", "offered", "accepted", "completed"], history.Timeline.Select(e => e.Type));
        // The number is no longer there to be found by.
        Assert.Empty((await OkAsync<CallPage>(await admin.GetAsync($"/api/calls?number={Uri.EscapeDataString(caller)}"))).Calls);
    }

    [Fact]
    public async Task BadSearchesAreRefusedNamingTheField()
    {
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);

        var response = await admin.GetAsync("/api/calls?from=yesterday&to=2026-13-01&limit=0&number=abc&before=42");
        var unknown = await admin.GetAsync("/api/calls/not-a-call");
        var missing = await admin.GetAsync($"/api/calls/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["before", "from", "limit", "number", "to"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("2026-12-06", errors.GetProperty("from")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
