using Umearegionen.Switchboard.IntegrationTests.Directory;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class CallOutcomeTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    // A number outside the directory: transfers to free numbers are not checked (DestinationTests check the rest).
    private static readonly Destination Unit = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");

    [Fact]
    public async Task BlindTransferCompletesTheCallAndTellsThePlatformWhereTo()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        var done = await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", Unit, "transfer-unit"));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        var transfer = (await world.InstructionsForAsync(call.PlatformCallId)).Single(i => i.Kind == InstructionKinds.Transfer);
        Assert.Equal("blind", transfer.Mode);
        Assert.Equal(Unit, transfer.Destination);
        Assert.Equal("transfer-unit", (await world.CallRecordAsync(call.CallId)).WrapUpCategory);
    }

    [Fact]
    public async Task AttendedTransferConsultsTheDestinationFirst()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "attended", Unit, "transfer-unit")));
        Assert.Contains(HubErrors.WrongState + ":", refused.Message);

        var consulting = await op.Connection.InvokeAsync<CallView>("StartConsultation", new ConsultRequest(call.CallId, Unit));
        Assert.Equal(Unit, consulting.Consultation);
        var done = await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "attended", Unit, "transfer-unit"));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        var kinds = (await world.InstructionsForAsync(call.PlatformCallId)).Select(i => i.Kind).ToList();
        Assert.Equal([InstructionKinds.RingOperator, InstructionKinds.Connect, InstructionKinds.Consult, InstructionKinds.Transfer], kinds);
    }

    [Fact]
    public async Task CancelledConsultationReturnsToTheCaller()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        await op.Connection.InvokeAsync<CallView>("StartConsultation", new ConsultRequest(call.CallId, Unit));

        var back = await op.Connection.InvokeAsync<CallView>("CancelConsultation", call.CallId);

        Assert.Null(back.Consultation);
        Assert.Equal(CallStates.Connected, back.State);
        Assert.Contains((await world.InstructionsForAsync(call.PlatformCallId)), i => i.Kind == InstructionKinds.CancelConsult);
    }

    [Fact]
    public async Task AnsweredByTheOperatorEndsTheCallWithItsWrapUpCategory()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        var done = await op.AnswerAsync(call.CallId, "opening-hours");

        Assert.Equal(CallOutcomes.Answered, done.Outcome);
        Assert.Equal("opening-hours", (await world.CallRecordAsync(call.CallId)).WrapUpCategory);
        Assert.Contains((await world.InstructionsForAsync(call.PlatformCallId)), i => i.Kind == InstructionKinds.End);
    }

    [Fact]
    public async Task CallbackIsBookedWithTheUnitAndTimeWindow()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var start = app.Clock!.GetUtcNow().AddHours(2);
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await DirectoryApi.CreateUnitAsync(editor, "2480", DirectoryApi.Unique("Bygglov Umeå"));

        var done = await op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            call.CallId, unit.Id.ToString(), "Bygglov", start, start.AddHours(1), "callback", "Anna", null, "about a building permit"));

        Assert.Equal(CallOutcomes.Callback, done.Outcome);
        // The unit has no opening hours yet, so the window is booked unchecked and the operator is told.
        Assert.StartsWith("hours-unknown:", done.Warning);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from callbacks where call_id = @id and unit_id = @unitId and unit_name = @name and caller_number = @number",
            new { id = call.CallId, unitId = unit.Id.ToString(), name = unit.Name, number = done.CallerNumber }));
    }

    [Fact]
    public async Task CallbackWindowThatEndsBeforeItStartsIsRefused()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var start = app.Clock!.GetUtcNow().AddHours(2);

        var ex = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("BookCallback",
            new CallbackRequest(call.CallId, "unit-9", "Bygglov", start, start.AddHours(-1), "callback")));

        Assert.Contains("windowEnd", ex.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task MessageTakenForAPersonIsStoredForSending()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        var done = await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", null, "Eva Ek", "eva.ek@example.org", "Please call back about the invoice.", "message", "Per"));

        Assert.Equal(CallOutcomes.Message, done.Outcome);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from messages where call_id = @id and recipient_email = 'eva.ek@example.org'", new { id = call.CallId }));
    }

    [Fact]
    public async Task NamesWithLineBreaksOrDirectionOverridesAreRefusedAndTheCallStaysConnected()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        var start = app.Clock!.GetUtcNow().AddHours(2);

        var message = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", null, "Eva Ek", "eva.ek@example.org", "Ring tillbaka.", "message", "Per\r\nBcc: spy@example.org")));
        var recipient = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "person", null, "Eva\nEk", "eva.ek@example.org", "Ring tillbaka.", "message")));
        var callback = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            call.CallId, Guid.NewGuid().ToString(), "Bygglov", start, start.AddHours(1), "callback", "\u202EasnA")));
        var fault = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            call.CallId, "2460", "Gatlampa släckt", "Storgatan 3", "070-123 45 67", "fault-report", "Olle\u2066")));

        Assert.Contains("invalid: callerName must be one line", message.Message, StringComparison.Ordinal);
        Assert.Contains("invalid: recipientName must be one line", recipient.Message, StringComparison.Ordinal);
        Assert.Contains("invalid: callerName must be one line", callback.Message, StringComparison.Ordinal);
        Assert.Contains("invalid: contactName must be one line", fault.Message, StringComparison.Ordinal);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from messages where call_id = @id", new { id = call.CallId }));
    }

    [Fact]
    public async Task FaultReportIsRegisteredForTheMunicipality()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        var done = await op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            call.CallId, "2460", "Street light out", "Storgatan 3, Vännäs", "070-123 45 67", "fault-report", "Olle"));

        Assert.Equal(CallOutcomes.FaultReport, done.Outcome);
        Assert.Equal("+46701234567", await world.ScalarAsync<string>(
            "select contact_number from fault_reports where call_id = @id and municipality_code = '2460'", new { id = call.CallId }));
    }

    [Fact]
    public async Task AnotherOperatorCannotEndSomeoneElsesCall()
    {
        await using var world = new RoutingDriver(app);
        var (_, call) = await world.ConnectedCallAsync();
        var other = await world.OperatorAsync(status: OperatorStatuses.Paused);

        var ex = await Assert.ThrowsAsync<HubException>(() => other.AnswerAsync(call.CallId));

        Assert.Contains(HubErrors.NotYourCall + ":", ex.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task CallCannotBeEndedTwice()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        await op.AnswerAsync(call.CallId);

        var ex = await Assert.ThrowsAsync<HubException>(() => op.AnswerAsync(call.CallId));

        Assert.Contains(HubErrors.WrongState + ":", ex.Message);
    }

    [Fact]
    public async Task CallerHangingUpDuringTheCallIsShownToTheOperatorWhoStillWrapsUp()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);

        var update = await op.Next(op.CallUpdates);
        Assert.NotNull(update.CallerLeftAt);
        Assert.Equal(CallStates.Connected, update.State);
        var done = await op.AnswerAsync(call.CallId, "caller-hung-up");
        Assert.Equal(CallOutcomes.Answered, done.Outcome);
        // The caller is gone, so the platform has nothing to end.
        Assert.DoesNotContain((await world.InstructionsForAsync(call.PlatformCallId)), i => i.Kind == InstructionKinds.End);
    }

    [Fact]
    public async Task EveryStepOfACallIsInItsEventHistory()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        await op.AnswerAsync(call.CallId);

        var types = await world.ScalarAsync<string>(
            "select string_agg(type, ',' order by id) from call_history_events where call_id = @id", new { id = call.CallId });

        Assert.Equal("received,offered,accepted,completed", types);
    }
}
