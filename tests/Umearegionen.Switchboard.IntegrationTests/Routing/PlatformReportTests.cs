namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// <c>POST /api/telephony/report</c> (docs/telephony.md): the platform's acknowledgements and events in one
/// request, stored in one transaction, called as a platform calls it.
/// </summary>
public sealed class PlatformReportTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, object report) =>
        await client.PostAsJsonAsync("/api/telephony/report", report);

    private static async Task<long> SeqAsync(RoutingDriver world, Guid callId, string kind) =>
        await world.ScalarAsync<long>("select seq from telephony_instructions where call_id = @callId and kind = @kind", new { callId, kind });

    private static Task<long> UnacknowledgedAsync(RoutingDriver world, params long[] seqs) =>
        world.ScalarAsync<long>("select count(*) from telephony_instructions where seq = any(@seqs) and acknowledged_at is null", new { seqs });

    [Fact]
    public async Task AcknowledgementsAndEventsOfOneReportAreStoredInOneTransaction()
    {
        await using var world = new RoutingDriver(app);
        var (_, call) = await world.ConnectedCallAsync();
        var ring = await SeqAsync(world, call.CallId, InstructionKinds.RingOperator);
        var connect = await SeqAsync(world, call.CallId, InstructionKinds.Connect);
        var client = await app.TelephonyClientAsync();

        var response = await PostAsync(client, new PlatformReport([ring, connect],
            [new PlatformEvent(call.PlatformCallId, "answered-" + connect, PlatformEventTypes.Answered)]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<PlatformReportReceipt>())!;
        Assert.Equal(2, receipt.Acknowledged);
        var answered = Assert.Single(receipt.Events);
        Assert.Equal((call.PlatformCallId, "answered-" + connect, ReportedEventOutcomes.Recorded, call.CallId, CallStates.Connected, true),
            (answered.PlatformCallId, answered.EventId, answered.Outcome, answered.CallId, answered.State, answered.Recorded));
        Assert.Equal(0, await UnacknowledgedAsync(world, ring, connect));
        // One transaction wrote the event and both acknowledgements: the rows' versions carry its id.
        var writers = await world.ScalarAsync<long>("""
            select count(distinct x) from (
                select xmin::text as x from telephony_instructions where seq in (@ring, @connect)
                union all
                select xmin::text from call_events where call_id = @id and platform_event_id = @eventId) w
            """, new { ring, connect, id = call.CallId, eventId = "answered-" + connect });
        Assert.Equal(1, writers);
    }

    [Fact]
    public async Task EventOfAnUnknownCallIsAnsweredForThatItemWhileTheRestIsStored()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        var ring = await SeqAsync(world, call.CallId, InstructionKinds.RingOperator);
        var client = await app.TelephonyClientAsync();
        var unknown = "never-reported-" + Guid.NewGuid().ToString("N");

        var response = await PostAsync(client, new PlatformReport([ring],
        [
            new PlatformEvent(unknown, "u-1", PlatformEventTypes.Ended),
            new PlatformEvent(call.PlatformCallId, "answered-early", PlatformEventTypes.Answered),
        ]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<PlatformReportReceipt>())!;
        Assert.Equal(1, receipt.Acknowledged);
        Assert.Equal(
            [
                new ReportedEvent(unknown, "u-1", ReportedEventOutcomes.UnknownCall, null, null, false),
                new ReportedEvent(call.PlatformCallId, "answered-early", ReportedEventOutcomes.Recorded, call.CallId, CallStates.Offered, true),
            ],
            receipt.Events);
        Assert.Equal(0, await UnacknowledgedAsync(world, ring));
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and platform_event_id = 'answered-early'", new { id = call.CallId }));
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from calls where platform_call_id = @unknown", new { unknown }));
        await op.AcceptAsync(call.CallId);
    }

    [Fact]
    public async Task RepeatedReportChangesNothingAndAnswersNotRecorded()
    {
        await using var world = new RoutingDriver(app);
        var (_, call) = await world.ConnectedCallAsync();
        var connect = await SeqAsync(world, call.CallId, InstructionKinds.Connect);
        var client = await app.TelephonyClientAsync();
        var report = new PlatformReport([connect],
        [
            new PlatformEvent(call.PlatformCallId, "rep-answered", PlatformEventTypes.Answered),
            new PlatformEvent(call.PlatformCallId, "rep-ended", PlatformEventTypes.Ended),
        ]);
        (await PostAsync(client, report)).EnsureSuccessStatusCode();
        const string Row = "select version || ' ' || state || ' ' || coalesce(caller_left_at::text, '-') from calls where id = @id";
        var before = await world.ScalarAsync<string>(Row, new { id = call.CallId });
        var acknowledgedAt = await world.ScalarAsync<DateTimeOffset>("select acknowledged_at from telephony_instructions where seq = @connect", new { connect });

        var again = await PostAsync(client, report);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var receipt = (await again.Content.ReadFromJsonAsync<PlatformReportReceipt>())!;
        Assert.Equal(0, receipt.Acknowledged);
        Assert.All(receipt.Events, e => Assert.Equal((ReportedEventOutcomes.AlreadyRecorded, false, call.CallId, CallStates.Connected),
            (e.Outcome, e.Recorded, e.CallId, e.State)));
        Assert.Equal(before, await world.ScalarAsync<string>(Row, new { id = call.CallId }));
        Assert.Equal(acknowledgedAt, await world.ScalarAsync<DateTimeOffset>("select acknowledged_at from telephony_instructions where seq = @connect", new { connect }));
        Assert.Equal(2, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and platform_event_id like 'rep-%'", new { id = call.CallId }));
    }

    [Fact]
    public async Task InvalidItemRefusesTheWholeReportNamingTheItemAndStoresNothing()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        var ring = await SeqAsync(world, call.CallId, InstructionKinds.RingOperator);
        var client = await app.TelephonyClientAsync();

        var response = await PostAsync(client, new
        {
            acknowledge = new[] { ring, 0 },
            events = new object?[]
            {
                new { platformCallId = call.PlatformCallId, eventId = "inv-1", type = "ended" },
                new { platformCallId = call.PlatformCallId, eventId = "inv-2", type = "hung_up" },
                new { platformCallId = call.PlatformCallId, type = "answered" },
                new { eventId = "inv-4", type = "answered" },
                null,
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        Assert.Equal(
            ["acknowledge[1]", "events[1].type", "events[2].eventId", "events[3].platformCallId", "events[4]"],
            errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(1, await UnacknowledgedAsync(world, ring));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and platform_event_id like 'inv-%'", new { id = call.CallId }));
        Assert.Equal(CallStates.Offered, (await world.CallRecordAsync(call.CallId)).State);
        await op.AcceptAsync(call.CallId);
    }

    [Fact]
    public async Task EmptyOrOversizedReportIsRefusedNamingTheList()
    {
        var client = await app.TelephonyClientAsync();

        var empty = await PostAsync(client, new { acknowledge = Array.Empty<long>() });
        var tooManyEvents = await PostAsync(client, new PlatformReport(null,
            [.. Enumerable.Range(0, 501).Select(i => new PlatformEvent("x", "e" + i, PlatformEventTypes.Ended))]));
        var tooManySeqs = await PostAsync(client, new PlatformReport([.. Enumerable.Range(1, 5001).Select(i => (long)i)], null));

        foreach (var (response, field) in new[] { (empty, "events"), (tooManyEvents, "events"), (tooManySeqs, "acknowledge") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}");
        }
    }

    [Fact]
    public async Task EndedInAReportAbandonsAnOfferedCallAndStopsTheRingingOnce()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        var ring = await SeqAsync(world, call.CallId, InstructionKinds.RingOperator);
        var client = await app.TelephonyClientAsync();

        var response = await PostAsync(client, new PlatformReport([ring],
        [
            new PlatformEvent(call.PlatformCallId, "left-1", PlatformEventTypes.Ended),
            new PlatformEvent(call.PlatformCallId, "left-2", PlatformEventTypes.Ended),
        ]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<PlatformReportReceipt>())!;
        Assert.Equal([(CallStates.Abandoned, true), (CallStates.Abandoned, true)], receipt.Events.Select(e => (e.State, e.Recorded)).ToList());
        var withdrawn = await op.Next(op.Withdrawn);
        Assert.Equal(call.CallId, withdrawn.CallId);
        Assert.Equal(CallStates.Abandoned, (await world.CallRecordAsync(call.CallId)).State);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where call_id = @id and kind = 'stop_ringing'", new { id = call.CallId }));
        var kinds = (await world.InstructionsForAsync(call.PlatformCallId)).Select(i => (i.Kind, i.OperatorId)).ToList();
        Assert.Equal([(InstructionKinds.StopRinging, op.Id)], kinds);
        await world.AssertOfferCountAsync(op, offers: 1);
    }
}
