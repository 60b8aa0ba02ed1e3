using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class TelephonyApiTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task RetriedIntakeCreatesOneCallAndOneEvent()
    {
        await using var world = new RoutingDriver(app);
        var client = await app.TelephonyClientAsync();
        var report = new NewCallReport("retry-" + Guid.NewGuid().ToString("N"), "070-111 22 33", RoutingDriver.Umea, "bygglov");

        var first = await client.PostAsJsonAsync("/api/telephony/calls", report);
        var second = await client.PostAsJsonAsync("/api/telephony/calls", report);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = (await first.Content.ReadFromJsonAsync<CallReceipt>())!;
        var b = (await second.Content.ReadFromJsonAsync<CallReceipt>())!;
        Assert.Equal(a.CallId, b.CallId);
        Assert.False(b.Created);
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from calls where platform_call_id = @id", new { id = report.PlatformCallId }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from call_events where call_id = @id", new { id = a.CallId }));
        await client.PostAsJsonAsync($"/api/telephony/calls/{report.PlatformCallId}/events", new CallEventReport("e1", PlatformEventTypes.Ended));
    }

    [Fact]
    public async Task ConcurrentRetriesOfTheSameCallStoreItOnce()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var report = new NewCallReport("burst-" + Guid.NewGuid().ToString("N"), "0701112233", RoutingDriver.Umea);

        var receipts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => platform.PlaceCallAsync(report)));

        Assert.Single(receipts.Select(r => r.CallId).Distinct());
        Assert.Single(receipts, r => r.Created);
        await platform.ReportAsync(report.PlatformCallId, PlatformEventTypes.Ended);
    }

    [Fact]
    public async Task RetriedEventIsRecordedOnce()
    {
        await using var world = new RoutingDriver(app);
        var call = await world.CallAsync();
        var platform = await world.PlatformAsync();

        var first = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended, "evt-7");
        var again = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended, "evt-7");

        Assert.True(first.Recorded);
        Assert.False(again.Recorded);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and platform_event_id = 'evt-7'", new { id = call.CallId }));
    }

    [Fact]
    public async Task EventForAnUnknownCallIsNotFound()
    {
        var client = await app.TelephonyClientAsync();

        var response = await client.PostAsJsonAsync("/api/telephony/calls/nobody/events", new CallEventReport("e", PlatformEventTypes.Ended));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task IntakeWithInvalidFieldsNamesEachField()
    {
        var client = await app.TelephonyClientAsync();

        var response = await client.PostAsJsonAsync("/api/telephony/calls", new NewCallReport("", "not a number", "", Priority: 42));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        foreach (var field in new[] { "platformCallId", "callerNumber", "dialledNumber", "priority" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }
    }

    [Theory]
    [InlineData("abc123")]
    [InlineData("070-123 45 67 ankn. 12")]
    [InlineData("")]
    [InlineData("withheld")]
    public async Task CallerNumberThatIsNotATelephoneNumberIsRefusedNamingIt(string callerNumber)
    {
        var client = await app.TelephonyClientAsync();

        var response = await client.PostAsJsonAsync("/api/telephony/calls",
            new NewCallReport("bad-caller-" + Guid.NewGuid().ToString("N"), callerNumber, RoutingDriver.Umea));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        Assert.Contains("anonymous", errors.GetProperty("callerNumber")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("dialledNumber", out _));
    }

    [Fact]
    public async Task WithheldCallerIsStoredAsAnonymous()
    {
        await using var world = new RoutingDriver(app);
        var client = await app.TelephonyClientAsync();
        var report = new NewCallReport("withheld-" + Guid.NewGuid().ToString("N"), "Anonymous", RoutingDriver.Umea);

        var response = await client.PostAsJsonAsync("/api/telephony/calls", report);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(CallerNumbers.Anonymous, await world.ScalarAsync<string>(
            "select caller_number from calls where platform_call_id = @id", new { id = report.PlatformCallId }));
        await client.PostAsJsonAsync($"/api/telephony/calls/{report.PlatformCallId}/events", new CallEventReport("e1", PlatformEventTypes.Ended));
    }

    [Fact]
    public async Task ReportingAKnownCallAgainWithOtherDataIsAConflict()
    {
        await using var world = new RoutingDriver(app);
        var client = await app.TelephonyClientAsync();
        var report = new NewCallReport("conflict-" + Guid.NewGuid().ToString("N"), "070-111 22 33", RoutingDriver.Umea, "bygglov", 1);
        var first = await client.PostAsJsonAsync("/api/telephony/calls", report);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        foreach (var (other, field) in new[]
                 {
                     (report with { CallerNumber = "070-999 88 77" }, "callerNumber"),
                     (report with { DialledNumber = RoutingDriver.Vannas }, "dialledNumber"),
                     (report with { MenuTopic = "vatten" }, "menuTopic"),
                     (report with { MenuTopic = null }, "menuTopic"),
                     (report with { Priority = 5 }, "priority"),
                 })
        {
            var response = await client.PostAsJsonAsync("/api/telephony/calls", other);

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var detail = body.RootElement.GetProperty("detail").GetString()!;
            Assert.Contains(report.PlatformCallId, detail, StringComparison.Ordinal);
            Assert.Contains(field, detail, StringComparison.Ordinal);
        }

        // The same data again, the number written otherwise, is a retry.
        var retry = await client.PostAsJsonAsync("/api/telephony/calls", report with { CallerNumber = "+46701112233", MenuTopic = " bygglov " });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("+46701112233 +4690161000 bygglov", await world.ScalarAsync<string>(
            "select concat_ws(' ', caller_number, dialled_number, menu_topic) from calls where platform_call_id = @id", new { id = report.PlatformCallId }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from calls where platform_call_id = @id", new { id = report.PlatformCallId }));
        await client.PostAsJsonAsync($"/api/telephony/calls/{report.PlatformCallId}/events", new CallEventReport("e1", PlatformEventTypes.Ended));
    }

    [Fact]
    public async Task CallerWhoHangsUpWhileAnOperatorsPhoneRingsStopsTheRinging()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();

        await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended, "hung-up");

        var kinds = (await world.InstructionsForAsync(call.PlatformCallId)).Select(i => (i.Kind, i.OperatorId)).ToList();
        Assert.Equal([(InstructionKinds.RingOperator, op.Id), (InstructionKinds.StopRinging, op.Id)], kinds);
        Assert.Equal(CallStates.Abandoned, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task CallerWhoHangsUpWhileQueuedGivesThePlatformNothingToDo()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var call = await world.CallAsync();

        await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended, "hung-up");

        Assert.Empty(await world.InstructionsForAsync(call.PlatformCallId));
    }

    [Fact]
    public async Task OnlyTheTelephonyPlatformMayReportCalls()
    {
        var operatorClient = await RoutingDriver.ClientAsync(app, Roles.Operator, "2403");

        var response = await operatorClient.PostAsJsonAsync("/api/telephony/calls",
            new NewCallReport("x-" + Guid.NewGuid().ToString("N"), "0701112233", RoutingDriver.Umea));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
    }

    [Fact]
    public async Task EndedAfterTheCallIsCompletedOnlyAddsItsEvent()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.AnswerAsync(call.CallId);
        var before = await world.ScalarAsync<string>("select version || ' ' || (caller_left_at is null) from calls where id = @id", new { id = call.CallId });

        var receipt = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended, "end-after-done");

        Assert.True(receipt.Recorded);
        Assert.Equal(CallStates.Completed, receipt.State);
        Assert.Equal(before, await world.ScalarAsync<string>("select version || ' ' || (caller_left_at is null) from calls where id = @id", new { id = call.CallId }));
        Assert.Equal("received,offered,accepted,completed,platform_ended", await world.ScalarAsync<string>(
            "select string_agg(type, ',' order by id) from call_history_events where call_id = @id", new { id = call.CallId }));
    }

    [Fact]
    public async Task AnsweredAndTransferredOnlyAddTheirEvents()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        const string Row = "select version || ' ' || state || ' ' || (caller_left_at is null) from calls where id = @id";
        var before = await world.ScalarAsync<string>(Row, new { id = call.CallId });

        var answered = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Answered, "answered-1");
        var again = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Answered, "answered-1");

        Assert.Equal((CallStates.Connected, true), (answered.State, answered.Recorded));
        Assert.Equal((CallStates.Connected, false), (again.State, again.Recorded));
        Assert.Equal(before, await world.ScalarAsync<string>(Row, new { id = call.CallId }));
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and type = 'platform_answered'", new { id = call.CallId }));
    }

    [Fact]
    public async Task UnacknowledgedInstructionsAreDeliveredAgainUntilAcknowledged()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        var first = await platform.PollAsync(0);
        var ring = first.Instructions.Single(i => i.PlatformCallId == call.PlatformCallId);
        Assert.Equal(InstructionKinds.RingOperator, ring.Kind);
        Assert.Equal(op.Id, ring.OperatorId);

        var afterLast = await platform.PollAsync(first.LastSeq);
        Assert.DoesNotContain(afterLast.Instructions, i => i.Seq == ring.Seq);
        app.Clock!.Advance(TimeSpan.FromSeconds(11));
        await op.AcceptAsync(call.CallId);
        var redelivered = await platform.PollAsync(first.LastSeq);
        Assert.Contains(redelivered.Instructions, i => i.Seq == ring.Seq);

        await platform.AcknowledgeAsync(redelivered.Instructions.Select(i => i.Seq));
        var afterAck = await platform.PollAsync(0);
        Assert.DoesNotContain(afterAck.Instructions, i => i.PlatformCallId == call.PlatformCallId);
    }

    [Fact]
    public async Task PollWaitsForTheNextInstruction()
    {
        await using var world = new RoutingDriver(app);
        var platform = new SimulatedPlatform(await app.TelephonyClientAsync());
        var start = await platform.PollAsync(0);
        await platform.AcknowledgeAsync(start.Instructions.Select(i => i.Seq).DefaultIfEmpty(-1));
        var op = await world.OperatorAsync();

        var poll = platform.PollAsync(start.LastSeq, waitSeconds: 10);
        var call = await world.CallAsync();
        var batch = await poll;

        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId && i.Kind == InstructionKinds.RingOperator);
        await op.NextOfferAsync();
    }
}
