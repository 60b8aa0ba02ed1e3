using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The platform's confirmations stored on the instruction they answer (docs/decisions/0026): a report's event with
/// <c>instructionSeq</c> that only adds to the history is a set of columns on that instruction, not a
/// <c>call_events</c> row, and the call's history over HTTP shows it as before. Called as a platform calls it.
/// </summary>
public sealed class PlatformConfirmationTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static readonly Destination Municipality = new("number", null, "+4690161000", "Umeå kommun");

    private static async Task<PlatformReportReceipt> ReportAsync(HttpClient client, PlatformReport report)
    {
        var response = await client.PostAsJsonAsync("/api/telephony/report", report);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PlatformReportReceipt>())!;
    }

    private static Task<long> SeqAsync(RoutingDriver world, Guid callId, string kind) =>
        world.ScalarAsync<long>("select seq from telephony_instructions where call_id = @callId and kind = @kind", new { callId, kind });

    private static Task<long> PlatformRowsAsync(RoutingDriver world, Guid id) =>
        world.ScalarAsync<long>("select count(*) from call_events where call_id = @id and type like 'platform_%'", new { id });

    private async Task<CallHistoryView> HistoryAsync(Guid callId)
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var manager = app.CreateClient();
        manager.DefaultRequestHeaders.Authorization = new("Bearer", RoutingDriver.ServiceToken(app, account));
        var response = await manager.GetAsync($"/api/calls/{callId}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CallHistoryView>())!;
    }

    [Fact]
    public async Task ConfirmationsOfATransferredCallAreStoredOnTheirInstructionsAndTheTimelineShowsThemAsBefore()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var connect = await SeqAsync(world, call.CallId, InstructionKinds.Connect);
        var client = await app.TelephonyClientAsync();
        var answeredAt = DateTimeOffset.UtcNow.AddSeconds(-30);

        var first = await ReportAsync(client, new PlatformReport([connect],
            [new PlatformEvent(call.PlatformCallId, "c-answered", PlatformEventTypes.Answered, answeredAt, connect)]));
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(call.CallId, "blind", Municipality, "transfer"));
        var transfer = await SeqAsync(world, call.CallId, InstructionKinds.Transfer);
        var second = new PlatformReport([transfer],
        [
            new PlatformEvent(call.PlatformCallId, "c-transferred", PlatformEventTypes.Transferred, InstructionSeq: transfer),
            new PlatformEvent(call.PlatformCallId, "c-ended", PlatformEventTypes.Ended, InstructionSeq: transfer),
        ]);
        var stored = await ReportAsync(client, second);

        Assert.Equal(1, first.Acknowledged);
        Assert.Equal((ReportedEventOutcomes.Recorded, CallStates.Connected, true), (first.Events[0].Outcome, first.Events[0].State, first.Events[0].Recorded));
        Assert.Equal(1, stored.Acknowledged);
        Assert.All(stored.Events, e => Assert.Equal((ReportedEventOutcomes.Recorded, CallStates.Completed, true), (e.Outcome, e.State, e.Recorded)));
        Assert.Equal(0, await PlatformRowsAsync(world, call.CallId));
        Assert.Equal(
            "platform_answered c-answered - true | platform_transferred c-transferred c-ended true",
            await world.ScalarAsync<string>("""
                select string_agg(reported_type || ' ' || reported_event_id || ' ' || coalesce(ended_event_id, '-') || ' '
                                  || (acknowledged_at is not null)::text, ' | ' order by seq)
                from telephony_instructions where seq in (@connect, @transfer)
                """, new { connect, transfer }));
        var history = await HistoryAsync(call.CallId);
        Assert.Equal(
            ["received", "offered", "accepted", "platform_answered", "completed", "platform_transferred", "platform_ended"],
            history.Timeline.Select(e => e.Type));
        var answered = history.Timeline.Single(e => e.Type == "platform_answered");
        Assert.Equal(("telephony", answeredAt.ToUnixTimeMilliseconds()), (answered.Actor, answered.At.ToUnixTimeMilliseconds()));
        Assert.Equal(history.Timeline.Count, history.Timeline.Select(e => e.Id).Distinct().Count());
        var completed = history.Timeline.Single(e => e.Type == "completed");
        Assert.Equal((CallOutcomes.Transferred, "transfer"), (completed.Outcome, completed.WrapUpCategory));

        // The same report again: already recorded, nothing stored twice, the instruction as it was.
        const string Columns = "select concat_ws(' ', reported_id, reported_at, ended_id, ended_at, acknowledged_at) from telephony_instructions where seq = @transfer";
        var before = await world.ScalarAsync<string>(Columns, new { transfer });
        var again = await ReportAsync(client, second);

        Assert.Equal(0, again.Acknowledged);
        Assert.All(again.Events, e => Assert.Equal((ReportedEventOutcomes.AlreadyRecorded, false, call.CallId), (e.Outcome, e.Recorded, e.CallId)));
        Assert.Equal(before, await world.ScalarAsync<string>(Columns, new { transfer }));
        Assert.Equal(0, await PlatformRowsAsync(world, call.CallId));
        Assert.Equal(7, (await HistoryAsync(call.CallId)).Timeline.Count);
    }

    [Fact]
    public async Task ATransfersEndedAlreadyRecordedAsARowIsNotStoredAgainWhenItFollowsItsTransferredInAReport()
    {
        // The ended after a transferred goes in the transferred's update only when it fits as it would alone
        // (docs/decisions/0032): here its id is already a row of the call, so it is already recorded.
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(call.CallId, "blind", Municipality, "transfer"));
        var transfer = await SeqAsync(world, call.CallId, InstructionKinds.Transfer);
        var client = await app.TelephonyClientAsync();
        await ReportAsync(client, new PlatformReport(null, [new PlatformEvent(call.PlatformCallId, "r-ended", PlatformEventTypes.Ended)]));

        var receipt = await ReportAsync(client, new PlatformReport([transfer],
        [
            new PlatformEvent(call.PlatformCallId, "r-transferred", PlatformEventTypes.Transferred, InstructionSeq: transfer),
            new PlatformEvent(call.PlatformCallId, "r-ended", PlatformEventTypes.Ended, InstructionSeq: transfer),
        ]));

        Assert.Equal(1, receipt.Acknowledged);
        Assert.Equal(
            [(ReportedEventOutcomes.Recorded, true), (ReportedEventOutcomes.AlreadyRecorded, false)],
            receipt.Events.Select(e => (e.Outcome, e.Recorded)));
        Assert.Equal("r-transferred - true", await world.ScalarAsync<string>(
            "select reported_event_id || ' ' || coalesce(ended_event_id, '-') || ' ' || (acknowledged_at is not null)::text from telephony_instructions where seq = @transfer",
            new { transfer }));
        Assert.Equal(1, await PlatformRowsAsync(world, call.CallId));
        Assert.Equal(
            ["received", "offered", "accepted", "completed", "platform_ended", "platform_transferred"],
            (await HistoryAsync(call.CallId)).Timeline.Select(e => e.Type));
    }

    [Fact]
    public async Task TheEndedThatAnswersAnEndInstructionIsStoredOnIt()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        await op.AnswerAsync(call.CallId);
        var end = await SeqAsync(world, call.CallId, InstructionKinds.End);
        var client = await app.TelephonyClientAsync();

        var receipt = await ReportAsync(client, new PlatformReport(null,
            [new PlatformEvent(call.PlatformCallId, "e-ended", PlatformEventTypes.Ended, InstructionSeq: end)]));

        Assert.Equal(0, receipt.Acknowledged);
        Assert.Equal((ReportedEventOutcomes.Recorded, CallStates.Completed), (receipt.Events[0].Outcome, receipt.Events[0].State));
        Assert.Equal(0, await PlatformRowsAsync(world, call.CallId));
        Assert.True(await world.ScalarAsync<bool>(
            "select reported_event_id = 'e-ended' and acknowledged_at is null from telephony_instructions where seq = @end", new { end }));
        Assert.Equal(
            ["received", "offered", "accepted", "completed", "platform_ended"],
            (await HistoryAsync(call.CallId)).Timeline.Select(e => e.Type));
    }

    [Fact]
    public async Task AnEventWithoutInstructionSeqOrWithOneThatDoesNotFitIsARowAsBefore()
    {
        await using var world = new RoutingDriver(app);
        var (opA, a) = await world.ConnectedCallAsync();
        var (opB, b) = await world.ConnectedCallAsync();
        var connectA = await SeqAsync(world, a.CallId, InstructionKinds.Connect);
        var connectB = await SeqAsync(world, b.CallId, InstructionKinds.Connect);
        var ringA = await SeqAsync(world, a.CallId, InstructionKinds.RingOperator);
        var client = await app.TelephonyClientAsync();
        await ReportAsync(client, new PlatformReport(null,
            [new PlatformEvent(a.PlatformCallId, "a-1", PlatformEventTypes.Answered, InstructionSeq: connectA)]));

        var receipt = await ReportAsync(client, new PlatformReport([connectB],
        [
            // Its column already holds another event.
            new PlatformEvent(a.PlatformCallId, "a-2", PlatformEventTypes.Answered, InstructionSeq: connectA),
            // No instructionSeq.
            new PlatformEvent(a.PlatformCallId, "a-3", PlatformEventTypes.Answered),
            // The wrong kind of instruction: a connect is answered, not transferred.
            new PlatformEvent(a.PlatformCallId, "a-4", PlatformEventTypes.Transferred, InstructionSeq: connectA),
            // Another call's instruction.
            new PlatformEvent(a.PlatformCallId, "a-5", PlatformEventTypes.Answered, InstructionSeq: connectB),
            // An instruction that no event answers (the ring).
            new PlatformEvent(a.PlatformCallId, "a-6", PlatformEventTypes.Answered, InstructionSeq: ringA),
            // An unknown seq.
            new PlatformEvent(a.PlatformCallId, "a-7", PlatformEventTypes.Answered, InstructionSeq: long.MaxValue),
        ]));

        Assert.All(receipt.Events, e => Assert.Equal((ReportedEventOutcomes.Recorded, true), (e.Outcome, e.Recorded)));
        Assert.Equal(1, receipt.Acknowledged);
        Assert.Equal(
            "a-2 a-3 a-4 a-5 a-6 a-7",
            await world.ScalarAsync<string>(
                "select string_agg(platform_event_id, ' ' order by id) from call_events where call_id = @id and type like 'platform_%'", new { id = a.CallId }));
        Assert.Equal("a-1", await world.ScalarAsync<string>("select reported_event_id from telephony_instructions where seq = @connectA", new { connectA }));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where seq in (@connectB, @ringA) and reported_event_id is not null", new { connectB, ringA }));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where seq = @connectB and acknowledged_at is null", new { connectB }));
        Assert.Equal(7, (await HistoryAsync(a.CallId)).Timeline.Count(e => e.Type.StartsWith("platform_", StringComparison.Ordinal)));

        // An event stored as a row, sent again naming its instruction, is found as a row: nothing more is stored.
        await ReportAsync(client, new PlatformReport(null, [new PlatformEvent(b.PlatformCallId, "b-1", PlatformEventTypes.Answered)]));
        var again = await ReportAsync(client, new PlatformReport(null,
            [new PlatformEvent(b.PlatformCallId, "b-1", PlatformEventTypes.Answered, InstructionSeq: connectB)]));

        Assert.Equal((ReportedEventOutcomes.AlreadyRecorded, false), (again.Events[0].Outcome, again.Events[0].Recorded));
        Assert.Equal(1, await PlatformRowsAsync(world, b.CallId));
        Assert.Equal("-", await world.ScalarAsync<string>("select coalesce(reported_event_id, '-') from telephony_instructions where seq = @connectB", new { connectB }));
        await opA.AnswerAsync(a.CallId);
        await opB.AnswerAsync(b.CallId);
    }

    [Fact]
    public async Task AReportOfSeveralCallsIsStoredAsOneEventAtATimeWouldStoreItWhenSomeDoNotFit()
    {
        // The events of different calls that name their instruction go in one round trip (docs/decisions/0035);
        // one that does not fit is stored as a row after them, and a call's second event starts another batch.
        await using var world = new RoutingDriver(app);
        var (opA, a) = await world.ConnectedCallAsync();
        var (opB, b) = await world.ConnectedCallAsync();
        var (opC, c) = await world.ConnectedCallAsync();
        var (opD, d) = await world.ConnectedCallAsync();
        var connectA = await SeqAsync(world, a.CallId, InstructionKinds.Connect);
        var connectB = await SeqAsync(world, b.CallId, InstructionKinds.Connect);
        var connectC = await SeqAsync(world, c.CallId, InstructionKinds.Connect);
        var ringB = await SeqAsync(world, b.CallId, InstructionKinds.RingOperator);
        var client = await app.TelephonyClientAsync();
        await ReportAsync(client, new PlatformReport(null,
            [new PlatformEvent(a.PlatformCallId, "a-1", PlatformEventTypes.Answered, InstructionSeq: connectA)]));
        await opD.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(d.CallId, "blind", Municipality, "transfer"));
        var transferD = await SeqAsync(world, d.CallId, InstructionKinds.Transfer);

        var receipt = await ReportAsync(client, new PlatformReport([ringB, connectA, connectB, connectC, transferD],
        [
            new PlatformEvent(b.PlatformCallId, "b-1", PlatformEventTypes.Answered, InstructionSeq: connectB),
            // Its column already holds a-1: a row, after the batch.
            new PlatformEvent(a.PlatformCallId, "a-2", PlatformEventTypes.Answered, InstructionSeq: connectA),
            new PlatformEvent(d.PlatformCallId, "d-transferred", PlatformEventTypes.Transferred, InstructionSeq: transferD),
            new PlatformEvent(d.PlatformCallId, "d-ended", PlatformEventTypes.Ended, InstructionSeq: transferD),
            new PlatformEvent(c.PlatformCallId, "c-1", PlatformEventTypes.Answered, InstructionSeq: connectC),
            // No instructionSeq: stored one at a time.
            new PlatformEvent(a.PlatformCallId, "a-3", PlatformEventTypes.Answered),
            // B's second event: its connect holds b-1 by now, so a row.
            new PlatformEvent(b.PlatformCallId, "b-2", PlatformEventTypes.Answered, InstructionSeq: connectB),
            new PlatformEvent(c.PlatformCallId, "c-2", PlatformEventTypes.Answered, InstructionSeq: connectC),
        ]));

        Assert.Equal(5, receipt.Acknowledged);
        Assert.Equal(
            [
                (b.PlatformCallId, "b-1", CallStates.Connected), (a.PlatformCallId, "a-2", CallStates.Connected),
                (d.PlatformCallId, "d-transferred", CallStates.Completed), (d.PlatformCallId, "d-ended", CallStates.Completed),
                (c.PlatformCallId, "c-1", CallStates.Connected), (a.PlatformCallId, "a-3", CallStates.Connected),
                (b.PlatformCallId, "b-2", CallStates.Connected), (c.PlatformCallId, "c-2", CallStates.Connected),
            ],
            receipt.Events.Select(e => (e.PlatformCallId, e.EventId, e.State)));
        Assert.All(receipt.Events, e => Assert.Equal((ReportedEventOutcomes.Recorded, true), (e.Outcome, e.Recorded)));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where seq = any(@seqs) and acknowledged_at is null",
            new { seqs = new[] { ringB, connectA, connectB, connectC, transferD } }));
        Assert.Equal(
            "a-1 - | b-1 - | c-1 - | d-transferred d-ended",
            await world.ScalarAsync<string>("""
                select string_agg(reported_event_id || ' ' || coalesce(ended_event_id, '-'), ' | ' order by reported_event_id)
                from telephony_instructions where seq = any(@seqs)
                """, new { seqs = new[] { connectA, connectB, connectC, transferD } }));
        Assert.Equal("a-2 a-3 b-2 c-2", await world.ScalarAsync<string>("""
            select string_agg(platform_event_id, ' ' order by platform_event_id)
            from call_events where call_id = any(@ids) and type like 'platform_%'
            """, new { ids = new[] { a.CallId, b.CallId, c.CallId, d.CallId } }));
        // Each call's history in the order its events were reported.
        Assert.Equal(["a-1", "a-2", "a-3"], await PlatformEventIdsAsync(world, a.CallId));
        Assert.Equal(["b-1", "b-2"], await PlatformEventIdsAsync(world, b.CallId));
        Assert.Equal(["c-1", "c-2"], await PlatformEventIdsAsync(world, c.CallId));
        Assert.Equal(
            ["received", "offered", "accepted", "completed", "platform_transferred", "platform_ended"],
            (await HistoryAsync(d.CallId)).Timeline.Select(e => e.Type));
        await opA.AnswerAsync(a.CallId);
        await opB.AnswerAsync(b.CallId);
        await opC.AnswerAsync(c.CallId);
    }

    // The platform's events of a call in the history's order (the view the history reads orders by id).
    private static async Task<string[]> PlatformEventIdsAsync(RoutingDriver world, Guid callId) =>
        (await world.ScalarAsync<string>(
            "select string_agg(platform_event_id, ' ' order by id) from call_history_events where call_id = @callId and type like 'platform_%'",
            new { callId })).Split(' ');

    [Fact]
    public async Task ANonPositiveOrMalformedInstructionSeqIsRefusedNamingTheField()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var client = await app.TelephonyClientAsync();

        var nonPositive = await client.PostAsJsonAsync("/api/telephony/report", new
        {
            events = new object[]
            {
                new { platformCallId = call.PlatformCallId, eventId = "n-1", type = "answered", instructionSeq = 0 },
                new { platformCallId = call.PlatformCallId, eventId = "n-2", type = "answered", instructionSeq = -4 },
                new { platformCallId = call.PlatformCallId, eventId = "n-3", type = "answered", instructionSeq = 5 },
            },
        });
        var malformed = await client.PostAsJsonAsync("/api/telephony/report", new
        {
            events = new object[] { new { platformCallId = call.PlatformCallId, eventId = "n-4", type = "answered", instructionSeq = "seven" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, nonPositive.StatusCode);
        using (var body = JsonDocument.Parse(await nonPositive.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["events[0].instructionSeq", "events[1].instructionSeq"],
                body.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToList());
        }

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var body = JsonDocument.Parse(await malformed.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["events[0].instructionSeq"], body.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList());
        }

        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and platform_event_id like 'n-%'", new { id = call.CallId }));
        await op.AnswerAsync(call.CallId);
    }
}
