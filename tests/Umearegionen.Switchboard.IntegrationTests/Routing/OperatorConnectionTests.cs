namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class OperatorConnectionTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task OperatorDroppingAndReconnectingMidCallKeepsTheirCallAndStatus()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);

        await op.DropAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(10));
        await op.ReconnectAsync();

        var sync = await op.ResyncAsync();
        Assert.Equal(OperatorStatuses.Available, sync.Me!.Status);
        Assert.Equal(call.CallId, sync.CurrentCall!.Id);
        Assert.Equal(CallStates.Connected, sync.CurrentCall.State);
        var done = await op.AnswerAsync(call.CallId);
        Assert.Equal(CallStates.Completed, done.State);
    }

    [Fact]
    public async Task DisconnectedOperatorGetsNoOffersAndIsSetOfflineAfterTheGracePeriod()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        await op.DropAsync();
        await world.EventuallyAsync(async () => await world.ScalarAsync<bool>(
            "select disconnected_at is not null from operators where account_id = @id", new { id = op.Id }));

        var call = await world.CallAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(31));

        await world.EventuallyAsync(async () => await world.ScalarAsync<string>(
            "select status from operators where account_id = @id", new { id = op.Id }) == OperatorStatuses.Offline);
        Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task OperatorReconnectingWithinTheGracePeriodKeepsTheirPlaceInLine()
    {
        await using var world = new RoutingDriver(app);
        var longest = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var other = await world.OperatorAsync();
        await longest.DropAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        await longest.ReconnectAsync();

        var call = await world.CallAsync();

        Assert.Equal(call.CallId, (await longest.NextOfferAsync()).Call.Id);
        await world.AssertOfferCountAsync(other, 0);
    }

    [Fact]
    public async Task ResyncReturnsAPendingOfferAfterReconnecting()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.DropAsync();
        await op.ReconnectAsync();

        var sync = await op.ResyncAsync();

        Assert.Equal(call.CallId, sync.Offer!.Call.Id);
        Assert.Contains(sync.Queue.Calls, c => c.Id == call.CallId);
        Assert.Equal(CallStates.Connected, (await op.AcceptAsync(call.CallId)).State);
    }
}
