namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>The routing app with after-call work on: 15 s, extended 30 s at a time, at most 60 s after the call.</summary>
public sealed class AfterCallWorkApp : RoutingApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Routing:AfterCallWork"] = "00:00:15",
        ["Routing:AfterCallWorkExtension"] = "00:00:30",
        ["Routing:AfterCallWorkLimit"] = "00:01:00",
    };
}

public sealed class AfterCallWorkTests(AfterCallWorkApp app) : IClassFixture<AfterCallWorkApp>
{
    private static readonly TimeSpan AfterCall = TimeSpan.FromSeconds(15);

    /// <summary>An instant as PostgreSQL stores it, to the microsecond.</summary>
    private static DateTimeOffset Stored(DateTimeOffset at) => new(at.Ticks - at.Ticks % 10, at.Offset);

    /// <summary>An operator with a call taken and answered; returns when the call has ended.</summary>
    private static async Task<(OperatorClient Op, CallReceipt Call, DateTimeOffset Ended)> OperatorWhoEndedACallAsync(
        RoutingDriver world, AfterCallWorkApp app)
    {
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        app.Clock!.Advance(TimeSpan.FromSeconds(40));
        var ended = Stored(app.Clock.GetUtcNow());
        await op.AnswerAsync(call.CallId);
        return (op, call, ended);
    }

    [Fact]
    public async Task OperatorWhoEndsACallIsInAfterCallWorkAndIsOfferedTheNextCallOnlyWhenItHasPassed()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, ended) = await OperatorWhoEndedACallAsync(world, app);

        var state = await op.Next(op.States);
        Assert.Equal(OperatorStatuses.WrapUp, state.Status);
        Assert.Equal(ended + AfterCall, state.AfterCallUntil);
        Assert.Equal(ended, state.StatusChangedAt);

        // Neither the intake nor the dispatcher offers the next call while it lasts.
        var next = await world.CallAsync();
        Assert.Equal(CallStates.Queued, next.State);
        app.Clock!.Advance(AfterCall - TimeSpan.FromSeconds(1));
        await world.AssertOfferCountAsync(op, 1);
        Assert.Equal(OperatorStatuses.WrapUp, (await op.ResyncAsync()).Me!.Status);

        // The sweeper notices the time has passed: available from the moment it ended, and offered the call.
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(next.CallId, (await op.NextOfferAsync()).Call.Id);
        var available = await op.Next(op.States);
        Assert.Equal(OperatorStatuses.Available, available.Status);
        Assert.Null(available.AfterCallUntil);
        Assert.Equal(ended + AfterCall, available.StatusChangedAt);
    }

    [Fact]
    public async Task ACallWhoseCallerHungUpWhileConnectedAlsoEndsInAfterCallWork()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);
        await op.Next(op.CallUpdates);

        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(
            call.CallId, "blind", new Destination("number", null, "+4690161000", "Umeå kommun växel"), "transfer-number"));

        Assert.Equal(OperatorStatuses.WrapUp, (await op.Next(op.States)).Status);
        Assert.Equal(CallStates.Queued, (await world.CallAsync()).State);
    }

    [Fact]
    public async Task EndingAfterCallWorkEarlyOffersTheWaitingCallAtOnce()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, _) = await OperatorWhoEndedACallAsync(world, app);
        var next = await world.CallAsync();
        Assert.Equal(CallStates.Queued, next.State);

        var state = await op.Connection.InvokeAsync<OperatorState>("EndAfterCallWork");

        Assert.Equal(OperatorStatuses.Available, state.Status);
        Assert.Null(state.AfterCallUntil);
        Assert.Equal(Stored(app.Clock!.GetUtcNow()), state.StatusChangedAt);
        Assert.Equal(next.CallId, (await op.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task ExtendingAddsTheExtensionUpToTheLimitAfterTheCall()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, ended) = await OperatorWhoEndedACallAsync(world, app);

        var once = await op.Connection.InvokeAsync<OperatorState>("ExtendAfterCallWork");
        Assert.Equal(ended + TimeSpan.FromSeconds(45), once.AfterCallUntil);
        var twice = await op.Connection.InvokeAsync<OperatorState>("ExtendAfterCallWork");
        Assert.Equal(ended + TimeSpan.FromSeconds(60), twice.AfterCallUntil);
        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<OperatorState>("ExtendAfterCallWork"));
        Assert.Contains(HubErrors.WrongState + ": after-call work cannot be extended beyond 60 seconds", refused.Message);

        // Still in after-call work where the first 15 s would have ended it.
        var next = await world.CallAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(20));
        await world.AssertOfferCountAsync(op, 1);
        app.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(next.CallId, (await op.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task EndingOrExtendingOutsideAfterCallWorkIsRefused()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var end = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<OperatorState>("EndAfterCallWork"));
        Assert.Contains(HubErrors.WrongState + ": you are not in after-call work.", end.Message);

        // A wrap_up the operator sets themselves lasts until they change it: nothing to end or extend.
        await op.SetStatusAsync(OperatorStatuses.WrapUp);
        var extend = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<OperatorState>("ExtendAfterCallWork"));
        Assert.Contains(HubErrors.WrongState + ": you are not in after-call work.", extend.Message);
        app.Clock!.Advance(TimeSpan.FromMinutes(2));
        await world.CallAsync();
        await world.AssertOfferCountAsync(op, 0);
        Assert.Equal(OperatorStatuses.WrapUp, (await op.ResyncAsync()).Me!.Status);
    }

    [Fact]
    public async Task AnOperatorWhoPausesDuringAfterCallWorkStaysPausedWhenItsTimeHasPassed()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, _) = await OperatorWhoEndedACallAsync(world, app);

        var paused = await op.SetStatusAsync(OperatorStatuses.Paused, "Lunch");
        Assert.Null(paused.AfterCallUntil);
        app.Clock!.Advance(AfterCall + TimeSpan.FromSeconds(1));
        await world.CallAsync();

        await world.AssertOfferCountAsync(op, 1);
        Assert.Equal(OperatorStatuses.Paused, (await op.ResyncAsync()).Me!.Status);
    }

    [Fact]
    public async Task PickingAWaitingCallFromTheQueueEndsAfterCallWork()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, _) = await OperatorWhoEndedACallAsync(world, app);
        var next = await world.CallAsync();

        await op.AcceptAsync(next.CallId);
        await op.AnswerAsync(next.CallId);

        // Available when it was picked, so this call starts after-call work of its own.
        var me = (await op.ResyncAsync()).Me!;
        Assert.Equal(OperatorStatuses.WrapUp, me.Status);
        Assert.Equal(Stored(app.Clock!.GetUtcNow()) + AfterCall, me.AfterCallUntil);
    }

    [Fact]
    public async Task ManagerSeesTheOperatorInAfterCallWorkWithItsEndAndCounted()
    {
        await using var world = new RoutingDriver(app);
        var (op, _, ended) = await OperatorWhoEndedACallAsync(world, app);
        await using var manager = app.HubConnection(await app.TokenForAsync(Roles.Manager));
        await manager.StartAsync();

        var operators = await manager.InvokeAsync<IReadOnlyList<OperatorSummary>>("GetOperators");
        var view = await manager.InvokeAsync<ManagerView>("GetManagerView");

        var summary = Assert.Single(operators, o => o.AccountId == op.Id);
        Assert.Equal(OperatorStatuses.WrapUp, summary.Status);
        Assert.Equal(ended + AfterCall, summary.AfterCallUntil);
        Assert.Equal(ended, summary.StatusChangedAt);
        Assert.True(view.OperatorsByStatus.GetValueOrDefault(OperatorStatuses.WrapUp) >= 1);
    }

    [Fact]
    public async Task AfterCallWorkIsTheCallsWrapUpTimeAndPartOfTheOperatorsHandleTime()
    {
        await using var world = new RoutingDriver(app);
        var (op, call, _) = await OperatorWhoEndedACallAsync(world, app);
        await op.Next(op.States);
        var extended = await op.Connection.InvokeAsync<OperatorState>("ExtendAfterCallWork");
        Assert.NotNull(extended.AfterCallUntil);

        app.Clock!.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(OperatorStatuses.Available, (await op.Next(op.States)).Status);

        await world.EventuallyAsync(async () =>
            await world.ScalarAsync<int>("select coalesce((select wrap_up_seconds from call_facts where call_id = @id), -1)",
                new { id = call.CallId }) == 45);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).DateTime);
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&by=operator");
        var row = Assert.Single(summary!.Rows, r => r.Key == op.Id.ToString());
        Assert.Equal(85, row.Metrics.AverageHandleSeconds); // 40 s on the call + 45 s after-call work
    }
}
