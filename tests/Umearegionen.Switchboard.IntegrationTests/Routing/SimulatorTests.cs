using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class SimulatorTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task SimulatedPlatformCarriesOutInstructionsAndReportsTheFullLifeOfACall()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        using var stop = new CancellationTokenSource();
        var running = platform.RunAsync(stop.Token);
        var op = await world.OperatorAsync();

        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        // The platform connects the caller and reports the operator's phone answered.
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from call_history_events where call_id = @id and type = 'platform_answered'", new { id = call.CallId }) == 1);
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(
            call.CallId, "blind", new Destination("number", null, "+4690161000", "Umeå kommun"), "transfer"));

        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from call_history_events where call_id = @id and type = 'platform_ended'", new { id = call.CallId }) == 1);
        var types = await world.ScalarAsync<string>(
            "select string_agg(type, ',' order by id) from call_history_events where call_id = @id", new { id = call.CallId });
        Assert.Equal("received,offered,accepted,platform_answered,completed,platform_transferred,platform_ended", types);
        // Each event named the instruction it answers and is stored on it, not as a row (docs/decisions/0026): the
        // transfer's two events came in one report and are the transfer instruction's columns, with its acknowledgement.
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and type like 'platform_%'", new { id = call.CallId }));
        Assert.Equal(
            "connect platform_answered - | transfer platform_transferred seq-{0}-end".Replace("{0}", (await world.ScalarAsync<long>(
                "select seq from telephony_instructions where call_id = @id and kind = 'transfer'", new { id = call.CallId })).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await world.ScalarAsync<string>("""
                select string_agg(kind || ' ' || reported_type || ' ' || coalesce(ended_event_id, '-'), ' | ' order by seq)
                from telephony_instructions where call_id = @id and reported_type is not null
                """, new { id = call.CallId }));
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where call_id = @id and acknowledged_at is null", new { id = call.CallId }) == 0);
        Assert.Equal(
            [InstructionKinds.RingOperator, InstructionKinds.Connect, InstructionKinds.Transfer],
            platform.Received.Where(i => i.PlatformCallId == call.PlatformCallId).Select(i => i.Kind).Distinct().ToList());

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task AcknowledgementWithoutAnEventIsHeldAtMostASecondThenSentAlone()
    {
        await using var world = new RoutingDriver(app);
        var platform = new SimulatedPlatform(await app.TelephonyClientAsync()) { ReportOutcomes = false };
        using var stop = new CancellationTokenSource();
        var running = platform.RunAsync(stop.Token);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await world.EventuallyAsync(() => Task.FromResult(platform.Received.Any(i => i.PlatformCallId == call.PlatformCallId)));
        var received = System.Diagnostics.Stopwatch.StartNew();

        // The ring produced no event: its acknowledgement waits for a report, or at most a second, far from redelivery (10 s).
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where call_id = @id and acknowledged_at is null", new { id = call.CallId }) == 0);
        Assert.True(received.Elapsed < TimeSpan.FromSeconds(5), $"acknowledged {received.Elapsed} after it was received");
        // The simulator counts a report once the service has answered it, after its commit is visible here.
        await world.EventuallyAsync(() => Task.FromResult(platform.ReportsSent >= 1));

        await stop.CancelAsync();
        await running;
        await op.AcceptAsync(call.CallId);
    }
}
