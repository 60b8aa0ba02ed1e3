using Umearegionen.Switchboard.IntegrationTests.OpeningHours;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// Where calls go, checked against the directory and opening hours: suggestions, transfers to
/// closed or closing units and to people who are away, callback windows and message recipients.
/// Each test puts the service's clock on an ordinary Wednesday ahead (office hours 08–12, 13–16:30).
/// </summary>
public sealed class DestinationTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private const string Vindeln = "+4693314000";

    /// <summary>Moves the service's clock to local time on an ordinary Wednesday ahead; returns that Wednesday.</summary>
    private DateOnly WednesdayAt(int hour, int minute)
    {
        var wednesday = FakeClock.WednesdayAhead(app.Clock!);
        app.Clock!.SetUtcNow(FakeClock.At(wednesday, hour, minute).ToUniversalTime());
        return wednesday;
    }

    /// <summary>A unit in the directory with office hours, closed action on-call to Socialjouren.</summary>
    private async Task<(Guid Id, string Name)> OfficeUnitAsync(string municipality, string name, string[]? topics = null, bool hours = true)
    {
        var editor = await app.ClientForAsync(Roles.Editor, municipality);
        var unique = Unique(name);
        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody(municipality, unique, topics: topics,
            whenClosed: new { kind = "on-call", phone = "090-16 10 00", text = "Socialjouren" }, phone: "0933-140 50"));
        await EnsureAsync(response, HttpStatusCode.Created);
        var id = (await ReadAsync<System.Text.Json.JsonElement>(response)).GetProperty("id").GetGuid();
        if (hours)
        {
            await EnsureAsync(await PutHoursAsync(editor, id, 0, Office()), HttpStatusCode.OK);
        }

        return (id, unique);
    }

    private static async Task<(OperatorClient Op, CallReceipt Call, CallView Accepted)> ConnectedCallAsync(
        RoutingDriver world, string dialled = RoutingDriver.Bjurholm, string? topic = null)
    {
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(dialled, topic);
        await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);
        return (op, call, accepted);
    }

    private static Task<CallView> TransferAsync(OperatorClient op, Guid callId, string mode, Destination to, bool acknowledgeAway = false) =>
        op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(callId, mode, to, "transfer", acknowledgeAway));

    [Fact]
    public async Task SuggestionsForABygglovCallToVindelnListVindelnsBygglovUnitFirstWithItsOpenStatus()
    {
        var wednesday = WednesdayAt(10, 0);
        var bygglov = await OfficeUnitAsync("2404", "Bygglov Vindeln", ["bygglov"]);
        await OfficeUnitAsync("2404", "Fritid Vindeln", ["simhall"]);
        await OfficeUnitAsync("2480", "Bygglov Umeå", ["bygglov"]);
        await using var world = new RoutingDriver(app);

        var op = await world.OperatorAsync();
        var call = await world.CallAsync(Vindeln, "bygglov");
        var offer = await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);

        // Offers are made without the directory; the suggestions come with the accepted call.
        Assert.Null(offer.Call.Suggestions);
        var first = accepted.Suggestions![0];
        Assert.Equal(("unit", bygglov.Id, bygglov.Name), (first.Kind, first.Id, first.Name));
        Assert.Equal("open", first.OpenStatus);
        Assert.Equal(FakeClock.At(wednesday, 12, 0), first.ClosesAt);
        Assert.False(first.ClosingSoon);
        Assert.Equal(new ClosedFallback("on-call", "+4690161000", null, "Socialjouren"), first.WhenClosed);
        Assert.Equal("topic", first.Why);
        Assert.All(accepted.Suggestions, s => Assert.Equal("2404", s.MunicipalityCode));
        // The same list after reconnecting, and on request.
        var sync = await op.ResyncAsync();
        Assert.Equal(bygglov.Id, sync.CurrentCall!.Suggestions![0].Id);
        var asked = await op.Connection.InvokeAsync<IReadOnlyList<SuggestedDestination>>("GetSuggestions", call.CallId);
        Assert.Equal(bygglov.Id, asked[0].Id);
    }

    [Fact]
    public async Task WithoutAMenuTopicTheDialledMunicipalitysUnitsAreSuggested()
    {
        WednesdayAt(12, 30);
        var unit = await OfficeUnitAsync("2404", "Kommunledning Vindeln");
        await using var world = new RoutingDriver(app);

        var (_, _, accepted) = await ConnectedCallAsync(world, Vindeln);

        Assert.NotEmpty(accepted.Suggestions!);
        Assert.All(accepted.Suggestions!, s => Assert.Equal(("2404", "municipality"), (s.MunicipalityCode, s.Why)));
        var mine = Assert.Single(accepted.Suggestions!, s => s.Id == unit.Id);
        Assert.Equal("closed", mine.OpenStatus);
    }

    [Fact]
    public async Task TransferToAClosedUnitIsRefusedWithItsFallbackAndTheCallStaysConnected()
    {
        var wednesday = WednesdayAt(12, 30);
        var unit = await OfficeUnitAsync("2403", "Socialtjänst Bjurholm");
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            TransferAsync(op, call.CallId, "blind", new Destination("unit", unit.Id.ToString(), null, unit.Name)));

        Assert.Contains(HubErrors.DestinationClosed + ":", refused.Message);
        Assert.Contains($"closed until {wednesday:yyyy-MM-dd} 13:00", refused.Message);
        Assert.Contains("on-call number +4690161000 (Socialjouren)", refused.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
        Assert.DoesNotContain(await world.InstructionsForAsync(call.PlatformCallId), i => i.Kind == InstructionKinds.Transfer);
        var consult = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("StartConsultation",
            new ConsultRequest(call.CallId, new Destination("unit", unit.Id.ToString(), null, unit.Name))));
        Assert.Contains(HubErrors.DestinationClosed + ":", consult.Message);
    }

    [Fact]
    public async Task TransferToAnOpenUnitSendsThePlatformTheUnitsNumberFromTheDirectory()
    {
        WednesdayAt(10, 0);
        var unit = await OfficeUnitAsync("2403", "Bygglov Bjurholm");
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var done = await TransferAsync(op, call.CallId, "blind", new Destination("unit", unit.Id.ToString(), null, "typed by the operator"));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        Assert.Null(done.Warning);
        var transfer = (await world.InstructionsForAsync(call.PlatformCallId)).Single(i => i.Kind == InstructionKinds.Transfer);
        Assert.Equal(new Destination("unit", unit.Id.ToString(), "+4693314050", unit.Name), transfer.Destination);
    }

    [Fact]
    public async Task TransferToAUnitClosingWithinTheWarningIsAllowedWithAWarning()
    {
        WednesdayAt(16, 20);
        var unit = await OfficeUnitAsync("2403", "Ekonomi Bjurholm");
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var done = await TransferAsync(op, call.CallId, "blind", new Destination("unit", unit.Id.ToString(), null, unit.Name));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        Assert.StartsWith("closes-soon:", done.Warning);
        Assert.Contains("16:30", done.Warning);
    }

    [Fact]
    public async Task TransferToAUnitWithoutOpeningHoursIsAllowed()
    {
        WednesdayAt(23, 0);
        var unit = await OfficeUnitAsync("2403", "Fastighet Bjurholm", hours: false);
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var done = await TransferAsync(op, call.CallId, "blind", new Destination("unit", unit.Id.ToString(), null, unit.Name));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        Assert.Null(done.Warning);
    }

    [Fact]
    public async Task MessageForAUnitWithoutEmailIsRefusedNamingTheField()
    {
        WednesdayAt(10, 0);
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var response = await editor.PostAsJsonAsync("/api/directory/units", new
        {
            municipalityCode = "2403", name = Unique("Vaktmästeri Bjurholm"), level = "unit", phone = "0932-140 00",
        });
        await EnsureAsync(response, HttpStatusCode.Created);
        var unitId = (await ReadAsync<System.Text.Json.JsonElement>(response)).GetProperty("id").GetGuid();
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "unit", unitId.ToString(), null!, null!, "Lampan i trapphuset är trasig.", "message")));

        Assert.Contains(HubErrors.Invalid + ": recipientEmail is required:", refused.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task TransferToAnUnknownUnitOrPersonIsRefused()
    {
        WednesdayAt(10, 0);
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var unknown = await Assert.ThrowsAsync<HubException>(() =>
            TransferAsync(op, call.CallId, "blind", new Destination("unit", Guid.NewGuid().ToString(), null, "Nowhere")));
        var notAnId = await Assert.ThrowsAsync<HubException>(() =>
            TransferAsync(op, call.CallId, "blind", new Destination("person", "p-1", null, "Someone")));

        Assert.Contains(HubErrors.Invalid + ": destination.id: there is no unit", unknown.Message);
        Assert.Contains(HubErrors.Invalid + ": destination.id \"p-1\" is not a directory id", notAnId.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task BlindTransferToSomeoneAwayIsRefusedButAttendedIsAllowed()
    {
        var wednesday = WednesdayAt(10, 0);
        var unit = await OfficeUnitAsync("2403", "Skola Bjurholm", hours: false);
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var back = FakeClock.At(wednesday.AddDays(2), 8, 0);
        var person = await CreatePersonAsync(editor, unit.Id, Unique("Eva Ek"), "Rektor",
            new { until = back, reason = "Semester", referTo = "Karin Berg", referToPhone = "0933-140 10" });
        var to = new Destination("person", person.Id.ToString(), null, person.Name);
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var refused = await Assert.ThrowsAsync<HubException>(() => TransferAsync(op, call.CallId, "blind", to));

        Assert.Contains($"{HubErrors.PersonAway}: {person.Name} is away until {wednesday.AddDays(2):yyyy-MM-dd} 08:00 (Semester); refer to Karin Berg", refused.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
        var consulting = await op.Connection.InvokeAsync<CallView>("StartConsultation", new ConsultRequest(call.CallId, to));
        Assert.StartsWith(HubErrors.PersonAway + ":", consulting.Warning);
        var done = await TransferAsync(op, call.CallId, "attended", to);
        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        var transfer = (await world.InstructionsForAsync(call.PlatformCallId)).Single(i => i.Kind == InstructionKinds.Transfer);
        Assert.Equal("+4690161234", transfer.Destination!.Number);
    }

    [Fact]
    public async Task BlindTransferToSomeoneAwayGoesThroughWhenTheOperatorAcknowledgesIt()
    {
        var wednesday = WednesdayAt(10, 0);
        var unit = await OfficeUnitAsync("2403", "Kultur Bjurholm");
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var person = await CreatePersonAsync(editor, unit.Id, Unique("Per Ek"), null,
            new { until = FakeClock.At(wednesday, 15, 0), reason = "Möte" });
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var done = await TransferAsync(op, call.CallId, "blind", new Destination("person", person.Id.ToString(), null, person.Name), acknowledgeAway: true);

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        Assert.StartsWith(HubErrors.PersonAway + ":", done.Warning);
    }

    [Fact]
    public async Task CallbackOutsideTheUnitsOpeningHoursIsRefusedAndInsideIsBooked()
    {
        var wednesday = WednesdayAt(10, 0);
        var unit = await OfficeUnitAsync("2403", "Bygglov Bjurholm");
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var lunch = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            call.CallId, unit.Id.ToString(), null!, FakeClock.At(wednesday, 12, 15), FakeClock.At(wednesday, 12, 45), "callback")));
        Assert.Contains(HubErrors.Invalid + ": windowStart/windowEnd:", lunch.Message);
        Assert.Contains($"open 08:00–12:00, 13:00–16:30 on {wednesday:yyyy-MM-dd}", lunch.Message);
        Assert.Contains($"next opening {wednesday:yyyy-MM-dd} 13:00", lunch.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);

        var thursday = wednesday.AddDays(1);
        var done = await op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            call.CallId, unit.Id.ToString(), null!, FakeClock.At(thursday, 9, 0), FakeClock.At(thursday, 10, 0), "callback"));

        Assert.Equal(CallOutcomes.Callback, done.Outcome);
        Assert.Null(done.Warning);
        Assert.Equal(unit.Name, await world.ScalarAsync<string>(
            "select unit_name from callbacks where call_id = @id and unit_id = @unitId", new { id = call.CallId, unitId = unit.Id.ToString() }));
    }

    [Fact]
    public async Task MessageForAPersonTakesTheirNameAndEmailFromTheDirectory()
    {
        WednesdayAt(10, 0);
        var unit = await OfficeUnitAsync("2403", "Växel Bjurholm");
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var person = await CreatePersonAsync(editor, unit.Id, Unique("Anna Ek"));
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await ConnectedCallAsync(world);

        var unknown = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", Guid.NewGuid().ToString(), null!, null!, "Ring mig.", "message")));
        Assert.Contains(HubErrors.Invalid + ": recipientId: there is no person", unknown.Message);

        var done = await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", person.Id.ToString(), null!, null!, "Ring mig om fakturan.", "message", "Stina"));

        Assert.Equal(CallOutcomes.Message, done.Outcome);
        Assert.Equal($"{person.Name}|person@umea.se", await world.ScalarAsync<string>(
            "select recipient_name || '|' || recipient_email from messages where call_id = @id and recipient_id = @pid",
            new { id = call.CallId, pid = person.Id.ToString() }));
    }

    /// <summary>Waits for what the service hears from PostgreSQL by itself (a notification, a reconnection).</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task SuggestionsShowAChangeMadeDirectlyInTheDatabaseByAnyone()
    {
        WednesdayAt(10, 0);
        var feed = app.Service<DirectoryChangeFeed>();
        await feed.Connected.WaitAsync(TimeSpan.FromSeconds(15));
        var unit = await OfficeUnitAsync("2404", "Fiske Vindeln", ["fiskekort"]);
        await using var world = new RoutingDriver(app);
        var (op, call, accepted) = await ConnectedCallAsync(world, Vindeln, "fiskekort");
        Assert.Equal((unit.Id, unit.Name, "open"), (accepted.Suggestions![0].Id, accepted.Suggestions[0].Name, accepted.Suggestions[0].OpenStatus));

        // Another instance, an import or someone in psql: not this service's API.
        var renamed = Unique("Fiskekort Vindeln");
        var before = feed.Generation;
        await world.ScalarAsync<int>("""
            with u as (update directory_units set name = @renamed where id = @id returning 1),
                 h as (delete from opening_hours_units where unit_id = @id returning 1)
            select (select count(*) from u) + (select count(*) from h)::int
            """, new { renamed, id = unit.Id });
        await EventuallyAsync(() => feed.Generation != before, "the change is heard");

        var asked = await op.Connection.InvokeAsync<IReadOnlyList<SuggestedDestination>>("GetSuggestions", call.CallId);
        Assert.Equal((unit.Id, renamed, "unknown"), (asked[0].Id, asked[0].Name, asked[0].OpenStatus));
    }

    [Fact]
    public async Task WhileTheServiceCannotHearChangesItReadsTheDirectoryEveryTimeAndItListensAgainByItself()
    {
        WednesdayAt(10, 0);
        var feed = app.Service<DirectoryChangeFeed>();
        await feed.Connected.WaitAsync(TimeSpan.FromSeconds(15));
        var unit = await OfficeUnitAsync("2404", "Båtplatser Vindeln", ["båtplats"]);
        await using var world = new RoutingDriver(app);
        var (op, call, accepted) = await ConnectedCallAsync(world, Vindeln, "båtplats");
        Assert.Equal(unit.Name, accepted.Suggestions![0].Name);

        // The listener's connection, the node's own (it holds the node's lock), is cut: a change made
        // meanwhile would not be heard.
        Assert.True(await world.ScalarAsync<bool>($"""
            select coalesce(bool_or(pg_terminate_backend(pid)), false) from pg_locks
            where locktype = 'advisory' and granted and objsubid = 2 and classid = {ClusterNode.NodeLockClass} and objid = @node::oid
              and database = (select oid from pg_database where datname = current_database())
            """, new { node = (long)app.Service<ClusterNode>().NodeId }));
        await EventuallyAsync(() => !feed.Listening, "the service notices");
        var renamed = Unique("Hamnen Vindeln");
        await world.ScalarAsync<int>("update directory_units set name = @renamed where id = @id returning 1", new { renamed, id = unit.Id });

        var asked = await op.Connection.InvokeAsync<IReadOnlyList<SuggestedDestination>>("GetSuggestions", call.CallId);
        Assert.Equal(renamed, asked[0].Name);
        await feed.Connected.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(feed.Listening);
    }
}
