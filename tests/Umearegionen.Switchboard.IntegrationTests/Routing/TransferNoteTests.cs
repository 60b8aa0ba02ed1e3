using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>A note on a transfer: from the operator's hub call to the platform's instruction poll and the call's history.</summary>
public sealed class TransferNoteTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static readonly Destination Desk = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");
    private const string Note = "Anna Ek om bygglovet på Storgatan 3, har ringt två gånger.";

    [Fact]
    public async Task ATransferNoteReachesTheReceivingDeskWithTheInstructionAndAdministratorsInTheHistory()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var (op, call) = await world.ConnectedCallAsync();

        var done = await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", Desk, "transfer-unit", Note: "  " + Note + " "));

        Assert.Equal(CallOutcomes.Transferred, done.Outcome);
        // On the wire, as the platform reads it from the instruction poll.
        var telephony = await app.TelephonyClientAsync();
        var batch = await telephony.GetFromJsonAsync<JsonElement>("/api/telephony/instructions?after=0&limit=5000");
        var transfer = batch.GetProperty("instructions").EnumerateArray()
            .Single(i => i.GetProperty("platformCallId").GetString() == call.PlatformCallId && i.GetProperty("kind").GetString() == "transfer");
        Assert.Equal(Note, transfer.GetProperty("note").GetString());
        Assert.Equal("Socialtjänsten Bjurholm", transfer.GetProperty("destination").GetProperty("name").GetString());
        // The simulated platform shows it to the receiving desk when it carries the transfer out. It starts only now:
        // it acknowledges the transfer in the report of its events, after which the poll above would no longer bring it.
        using var stop = new CancellationTokenSource();
        var running = platform.RunAsync(stop.Token);
        await world.EventuallyAsync(() => Task.FromResult(platform.ShownToReceiver.GetValueOrDefault(call.PlatformCallId) == Note));

        // Free text that may name the caller: administrators see it in the history, managers do not.
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        var managerDone = (await manager.GetFromJsonAsync<CallHistoryView>($"/api/calls/{call.CallId}"))!.Timeline.Single(e => e.Type == "completed");
        var adminDone = (await admin.GetFromJsonAsync<CallHistoryView>($"/api/calls/{call.CallId}"))!.Timeline.Single(e => e.Type == "completed");
        Assert.Equal((CallOutcomes.Transferred, "Socialtjänsten Bjurholm", (string?)null), (managerDone.Outcome, managerDone.To?.Name, managerDone.Note));
        Assert.Equal((CallOutcomes.Transferred, "Socialtjänsten Bjurholm", Note), (adminDone.Outcome, adminDone.To?.Name, adminDone.Note));

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task ATransferWithoutANoteSendsNullAndABlankNoteCountsAsNone()
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();

        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(call.CallId, "blind", Desk, "transfer-unit", Note: "   "));

        var transfer = (await world.InstructionsForAsync(call.PlatformCallId)).Single(i => i.Kind == InstructionKinds.Transfer);
        Assert.Null(transfer.Note);
        Assert.Equal(Desk, transfer.Destination);
    }

    [Theory]
    [InlineData("long", "invalid: note must be at most 500 characters (it has 501).")]
    [InlineData("Ring\nhenne", "invalid: note must be one line without control characters or text-direction overrides (it has U+000A at position 5).")]
    [InlineData("Ring\u202Ehenne", "invalid: note must be one line without control characters or text-direction overrides (it has U+202E at position 5).")]
    public async Task ABadNoteIsRefusedNamingTheNoteAndTheCallStaysWithTheOperator(string note, string refusal)
    {
        await using var world = new RoutingDriver(app);
        var (op, call) = await world.ConnectedCallAsync();
        note = note == "long" ? new string('a', TransferNotes.MaxLength + 1) : note;

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", Desk, "transfer-unit", Note: note)));

        Assert.Contains(refusal, refused.Message, StringComparison.Ordinal);
        Assert.Equal(HubErrors.Invalid, HubErrors.Read(refused.Message)?.Code);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
        Assert.DoesNotContain(await world.InstructionsForAsync(call.PlatformCallId), i => i.Kind == InstructionKinds.Transfer);
        // Exactly 500 characters goes through.
        await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", Desk, "transfer-unit", Note: new string('b', TransferNotes.MaxLength)));
        Assert.Equal(new string('b', TransferNotes.MaxLength),
            (await world.InstructionsForAsync(call.PlatformCallId)).Single(i => i.Kind == InstructionKinds.Transfer).Note);
    }
}
