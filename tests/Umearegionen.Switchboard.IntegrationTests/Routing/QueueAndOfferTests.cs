using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class QueueAndOfferTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task WaitingCallIsOfferedToTheAvailableOperatorIdleLongest()
    {
        await using var world = new RoutingDriver(app);
        var first = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var second = await world.OperatorAsync();

        var call = await world.CallAsync();

        var offer = await first.NextOfferAsync();
        Assert.Equal(call.CallId, offer.Call.Id);
        Assert.Equal("2403", offer.Call.MunicipalityCode);
        await world.AssertOfferCountAsync(second, 0);
    }

    [Fact]
    public async Task CallThatFindsAFreeOperatorAndNoQueueIsOfferedByTheIntakeInTheSameStatement()
    {
        await using var world = new RoutingDriver(app);
        var first = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var second = await world.OperatorAsync();

        var call = await world.CallAsync();

        // The platform's answer already says offered: the offer was stored with the call.
        Assert.Equal(CallStates.Offered, call.State);
        Assert.Equal(call.CallId, (await first.NextOfferAsync()).Call.Id);
        Assert.Equal("received:telephony offered:intake", await world.ScalarAsync<string>(
            "select string_agg(type || ':' || actor_id, ' ' order by id) from call_history_events where call_id = @id", new { id = call.CallId }));
        Assert.Equal(first.Id, await world.ScalarAsync<Guid>(
            $"select operator_id from {OfferRows.Table} offers where call_id = @id and resolution is null", new { id = call.CallId }));
        Assert.Contains(await world.InstructionsForAsync(call.PlatformCallId),
            i => i.Kind == InstructionKinds.RingOperator && i.OperatorId == first.Id);
        await world.AssertOfferCountAsync(second, 0);
    }

    [Fact]
    public async Task NewCallDoesNotOvertakeACallAlreadyWaiting()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        // A call already waiting that the dispatcher has not yet offered (written straight to the
        // database, so that nothing wakes the dispatcher for it).
        var waitingPlatformId = "t-" + Guid.NewGuid().ToString("N");
        var waitingId = await world.ScalarAsync<Guid>("""
            with c as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at)
                values (gen_random_uuid(), @pid, '+46701234567', '+4693214000', '2403', 'queued', @at)
                returning id
            ), q as (
                insert into call_queue (call_id, priority, queued_at) select id, 0, @at from c
            ), e as (
                insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id)
                select id, 'received', 'received', @at, 'telephony' from c
            )
            select id from c
            """, new { pid = waitingPlatformId, at = app.Clock!.GetUtcNow() - TimeSpan.FromSeconds(3) });
        try
        {
            var call = await world.CallAsync();

            Assert.Equal(CallStates.Queued, call.State);
            Assert.Equal(waitingId, (await op.NextOfferAsync()).Call.Id);
            Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(call.CallId)).State);
        }
        finally
        {
            await (await world.PlatformAsync()).ReportAsync(waitingPlatformId, PlatformEventTypes.Ended, "test-cleanup");
        }
    }

    [Fact]
    public async Task HigherPriorityCallIsOfferedBeforeOneThatHasWaitedLonger()
    {
        await using var world = new RoutingDriver(app);
        var normal = await world.CallAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(5));
        var urgent = await world.CallAsync(priority: 5);

        var op = await world.OperatorAsync();

        Assert.Equal(urgent.CallId, (await op.NextOfferAsync()).Call.Id);
        Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(normal.CallId)).State);
    }

    [Fact]
    public async Task QueueSnapshotListsQueuedAndOfferedCallsTogetherInQueueOrderAndCountsThemAll()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var offered = await world.CallAsync();
        Assert.Equal(offered.CallId, (await op.NextOfferAsync()).Call.Id);
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var waiting = await world.CallAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var urgent = await world.CallAsync(priority: 5);
        var later = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(10));
            later.Add((await world.CallAsync()).CallId);
        }

        var queue = (await op.ResyncAsync()).Queue;

        // Priority first, then time waited, whether offered or still queued; the first 30 listed, all counted.
        Assert.Equal(33, queue.Length);
        Assert.Equal(2.3, queue.LongestWaitSeconds, 3);
        Assert.Equal([urgent.CallId, offered.CallId, waiting.CallId, .. later.Take(27)], queue.Calls.Select(c => c.Id).ToList());
        Assert.Equal([CallStates.Queued, CallStates.Offered, CallStates.Queued], queue.Calls.Take(3).Select(c => c.State).ToList());
        Assert.Equal(op.Id, queue.Calls[1].OfferedTo);
        Assert.All(queue.Calls.Skip(3), c => Assert.Equal(CallStates.Queued, c.State));
    }

    [Fact]
    public async Task DialledNumberDecidesTheMunicipalityAndAnUnknownNumberLeavesItOpen()
    {
        await using var world = new RoutingDriver(app);

        var vannas = await world.CallAsync(RoutingDriver.Vannas);
        var unknown = await world.CallAsync("+46101234567");

        Assert.Equal("2460", vannas.MunicipalityCode);
        Assert.Null(unknown.MunicipalityCode);
    }

    [Fact]
    public async Task OfferNotAcceptedInTimeGoesToTheNextOperatorAndPausesTheFirstWithAReason()
    {
        await using var world = new RoutingDriver(app);
        var slow = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var next = await world.OperatorAsync();
        var call = await world.CallAsync();
        Assert.Equal(call.CallId, (await slow.NextOfferAsync()).Call.Id);

        app.Clock.Advance(TimeSpan.FromSeconds(16));

        var withdrawn = await slow.Next(slow.Withdrawn);
        Assert.Equal(call.CallId, withdrawn.CallId);
        Assert.Contains("paused", withdrawn.Reason, StringComparison.OrdinalIgnoreCase);
        var state = await slow.Next(slow.States);
        Assert.Equal(OperatorStatuses.Paused, state.Status);
        Assert.Equal(Sweeper.MissedOfferReason, state.PausedReason);
        Assert.Equal(call.CallId, (await next.NextOfferAsync()).Call.Id);
        await Assert.ThrowsAsync<HubException>(() => slow.AcceptAsync(call.CallId));
        Assert.Equal(1, await world.ScalarAsync<long>(
            $"select count(*) from {OfferRows.Table} offers where call_id = @id and resolution = 'timed_out'", new { id = call.CallId }));
    }

    [Fact]
    public async Task OfferAcceptedInTimeConnectsTheCallerAndTellsThePlatform()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();

        var accepted = await op.AcceptAsync(call.CallId);

        Assert.Equal(CallStates.Connected, accepted.State);
        Assert.Equal(op.Id, accepted.OperatorId);
        var kinds = (await world.InstructionsForAsync(call.PlatformCallId)).Select(i => i.Kind).ToList();
        Assert.Equal([InstructionKinds.RingOperator, InstructionKinds.Connect], kinds);
    }

    [Fact]
    public async Task AcceptingTheCallYouAlreadyHaveAnswersWithItAndWritesNothingTwice()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);

        // As after a server-error whose accept had been done: the operator tries again.
        var again = await op.AcceptAsync(call.CallId);

        Assert.Equal(CallStates.Connected, again.State);
        Assert.Equal(op.Id, again.OperatorId);
        Assert.Equal(accepted.AnsweredAt, again.AnsweredAt);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and type = 'accepted'", new { id = call.CallId }));
        var kinds = (await world.InstructionsForAsync(call.PlatformCallId)).Select(i => i.Kind).ToList();
        Assert.Equal([InstructionKinds.RingOperator, InstructionKinds.Connect], kinds);
        await op.AnswerAsync(call.CallId, "Information lämnad");
        var afterTheEnd = await Assert.ThrowsAsync<HubException>(() => op.AcceptAsync(call.CallId));
        Assert.Contains(HubErrors.WrongState + ": the call has already been completed.", afterTheEnd.Message);
    }

    [Fact]
    public async Task CallThatWaitedWhileEveryOperatorWasBusyIsOfferedWhenOneFinishesACall()
    {
        await using var world = new RoutingDriver(app);
        var (op, first) = await OperatorOnACallAsync(world);
        var second = await world.CallAsync();
        await world.AssertOfferCountAsync(op, 1);

        // The clock stands still, so no sweeper tick: finishing the call is what starts the round.
        await op.AnswerAsync(first.CallId);

        Assert.Equal(second.CallId, (await op.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task OperatorWhoFinishesWithAnEmptyQueueIsOfferedTheNextCallToArrive()
    {
        await using var world = new RoutingDriver(app);
        var op = await OperatorWhoHasAnsweredACallAsync(world);

        var next = await world.CallAsync();

        Assert.Equal(next.CallId, (await op.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task CallsAreStillOfferedAfterTheDispatchersOwnDatabaseConnectionIsLost()
    {
        await using var world = new RoutingDriver(app);
        // Calls that arrive while the operator is paused wait for the dispatcher (a call that finds a
        // free operator is offered by the intake itself).
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var first = await world.CallAsync();
        await op.SetStatusAsync(OperatorStatuses.Available);
        Assert.Equal(first.CallId, (await op.NextOfferAsync()).Call.Id);
        await op.AcceptAsync(first.CallId);
        await op.AnswerAsync(first.CallId);
        await op.SetStatusAsync(OperatorStatuses.Paused, "lunch");

        // The dispatcher keeps its connection between rounds; its last statement was the offer (whose
        // text begins with the pairs it offers) or, after a round that offered nothing (the pause), the
        // last of the read's three; a round the pause woke may still be running one of the other two.
        var killed = await world.ScalarAsync<long>("""
            select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
              and (query like '%as a(call_id, to_operator, seen)%'
                   or query like 'select call_id as id, priority, queued_at from call_queue%'
                   or query like '-- Read only when a call waits%'
                   or query like 'select exists (select 1 from operators%')
            """);
        Assert.Equal(1, killed);
        var next = await world.CallAsync();
        await op.SetStatusAsync(OperatorStatuses.Available);

        Assert.Equal(next.CallId, (await op.NextOfferAsync()).Call.Id);
        Assert.Equal("dispatcher", await world.ScalarAsync<string>(
            "select actor_id from call_history_events where call_id = @id and type = 'offered'", new { id = next.CallId }));
    }

    private static async Task<(OperatorClient Operator, CallReceipt Call)> OperatorOnACallAsync(RoutingDriver world)
    {
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        return (op, call);
    }

    private static async Task<OperatorClient> OperatorWhoHasAnsweredACallAsync(RoutingDriver world)
    {
        var (op, call) = await OperatorOnACallAsync(world);
        await op.AnswerAsync(call.CallId);
        return op;
    }

    [Fact]
    public async Task DecliningAnOfferHandsTheCallToTheNextOperator()
    {
        await using var world = new RoutingDriver(app);
        var first = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var second = await world.OperatorAsync();
        var call = await world.CallAsync();
        await first.NextOfferAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        await first.Connection.InvokeAsync("DeclineOffer", call.CallId);

        Assert.Equal(call.CallId, (await second.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task CallerHangingUpWhileBeingOfferedWithdrawsTheOfferAndAbandonsTheCall()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();

        var receipt = await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);

        Assert.Equal(CallStates.Abandoned, receipt.State);
        var withdrawn = await op.Next(op.Withdrawn);
        Assert.Equal(call.CallId, withdrawn.CallId);
        var ex = await Assert.ThrowsAsync<HubException>(() => op.AcceptAsync(call.CallId));
        Assert.Contains(HubErrors.WrongState + ":", ex.Message);
        var record = await world.CallRecordAsync(call.CallId);
        Assert.Equal(CallOutcomes.Abandoned, record.Outcome);
        Assert.Equal(OperatorStatuses.Available, (await op.ResyncAsync()).Me!.Status);
    }

    [Fact]
    public async Task CallerHangingUpWhileWaitingAbandonsTheCall()
    {
        await using var world = new RoutingDriver(app);
        var call = await world.CallAsync();

        await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);

        Assert.Equal(CallStates.Abandoned, (await world.CallRecordAsync(call.CallId)).State);
    }

    [Fact]
    public async Task CoverOperatorIsOfferedACallOnlyAfterItHasWaitedPastTheThreshold()
    {
        await using var world = new RoutingDriver(app);
        var main = await world.OperatorAsync("2403");
        var busy = await world.CallAsync();
        await main.NextOfferAsync();
        await main.AcceptAsync(busy.CallId);
        var cover = await world.OperatorAsync("2480");

        var call = await world.CallAsync();
        await world.AssertOfferCountAsync(cover, 0);

        app.Clock!.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(call.CallId, (await cover.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task CoverOperatorIsOfferedACallAtOnceWhenNoMainOperatorIsOnDuty()
    {
        await using var world = new RoutingDriver(app);
        var cover = await world.OperatorAsync("2480");

        var call = await world.CallAsync();

        Assert.Equal(call.CallId, (await cover.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task MainOperatorIsPreferredOverACoverOperatorIdleLonger()
    {
        await using var world = new RoutingDriver(app);
        var cover = await world.OperatorAsync("2480");
        app.Clock!.Advance(TimeSpan.FromSeconds(30));
        var main = await world.OperatorAsync("2403");

        var call = await world.CallAsync();

        Assert.Equal(call.CallId, (await main.NextOfferAsync()).Call.Id);
        await world.AssertOfferCountAsync(cover, 0);
    }

    [Fact]
    public async Task PausedOperatorIsNotOfferedCalls()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);

        await world.CallAsync();

        await world.AssertOfferCountAsync(op, 0);
    }

    [Fact]
    public async Task PausingWithoutAReasonIsRefused()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: null);

        var ex = await Assert.ThrowsAsync<HubException>(() => op.SetStatusAsync(OperatorStatuses.Paused));

        Assert.Contains("reason", ex.Message);
    }
}
