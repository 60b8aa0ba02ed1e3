namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class ConcurrencyTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task TwoOperatorsTakingTheSameCallAtOnceNeverBothGetIt()
    {
        await using var world = new RoutingDriver(app);
        const int Pairs = 8;
        const int Rounds = 4;
        var operators = new List<OperatorClient>();
        for (var i = 0; i < Pairs * 2; i++)
        {
            // Paused operators get no offers but may pick a waiting call from the queue.
            operators.Add(await world.OperatorAsync(status: OperatorStatuses.Paused));
        }

        for (var round = 0; round < Rounds; round++)
        {
            var calls = new List<CallReceipt>();
            for (var i = 0; i < Pairs; i++)
            {
                calls.Add(await world.CallAsync());
            }

            // Every pair races for its own call, all pairs at the same moment.
            var attempts = Enumerable.Range(0, Pairs).SelectMany(i => new[]
            {
                Attempt(operators[2 * i], calls[i].CallId),
                Attempt(operators[2 * i + 1], calls[i].CallId),
            }).ToList();
            var results = await Task.WhenAll(attempts);

            for (var i = 0; i < Pairs; i++)
            {
                var pair = results.Skip(2 * i).Take(2).ToList();
                Assert.Single(pair, r => r.Won);
                Assert.Single(pair, r => !r.Won && r.Error!.Contains(HubErrors.CallTaken + ":", StringComparison.Ordinal));
                var record = await world.CallRecordAsync(calls[i].CallId);
                Assert.Equal(CallStates.Connected, record.State);
                Assert.Equal(pair.Single(r => r.Won).Operator.Id, record.OperatorId);
                Assert.Equal(1, await world.ScalarAsync<long>(
                    "select count(*) from call_events where call_id = @id and type = 'accepted'", new { id = calls[i].CallId }));
            }

            foreach (var winner in results.Where(r => r.Won))
            {
                await winner.Operator.AnswerAsync(winner.CallId);
            }
        }
    }

    [Fact]
    public async Task AcceptingAnOfferAsItTimesOutNeverLeavesTheCallWithTwoOwnersOrStuck()
    {
        await using var world = new RoutingDriver(app);
        for (var i = 0; i < 10; i++)
        {
            var op = await world.OperatorAsync();
            var call = await world.CallAsync();
            await op.NextOfferAsync();

            var accept = Attempt(op, call.CallId);
            app.Clock!.Advance(TimeSpan.FromSeconds(15));
            var result = await accept;

            var record = await world.CallRecordAsync(call.CallId);
            if (result.Won)
            {
                Assert.Equal(CallStates.Connected, record.State);
                Assert.Equal(op.Id, record.OperatorId);
                await op.AnswerAsync(call.CallId);
            }
            else
            {
                // Lost to the clock: the sweeper puts the call back in the queue, unowned.
                Assert.Null(record.OperatorId);
                await world.EventuallyAsync(async () => (await world.CallRecordAsync(call.CallId)).State == CallStates.Queued);
                await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);
            }

            await op.SetStatusAsync(OperatorStatuses.Offline);
        }
    }

    [Fact]
    public async Task CallsArrivingAtOnceAreOfferedToEachFreeOperatorOnceAndTheRestWait()
    {
        await using var world = new RoutingDriver(app);
        const int Operators = 6;
        const int Calls = 40;
        var operators = new List<OperatorClient>();
        for (var i = 0; i < Operators; i++)
        {
            operators.Add(await world.OperatorAsync());
        }

        await world.PlatformAsync();
        // Intakes race each other for the free operators, and the dispatcher, woken by those that
        // found none, races them too.
        var receipts = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => Task.Run(() => world.CallAsync())));

        Assert.All(receipts, r => Assert.True(r.Created));
        var ids = receipts.Select(r => r.CallId).ToArray();
        await world.EventuallyAsync(async () =>
            await world.ScalarAsync<long>("select count(*) from calls where id = any(@ids) and state = 'offered'", new { ids }) == Operators);
        foreach (var op in operators)
        {
            var offer = await op.NextOfferAsync();
            Assert.Contains(offer.Call.Id, ids);
            await world.AssertOfferCountAsync(op, 1);
        }

        Assert.Equal(Operators, await world.ScalarAsync<long>(
            "select count(distinct offered_to) from calls where id = any(@ids) and state = 'offered'", new { ids }));
        Assert.Equal(Operators, await world.ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where call_id = any(@ids)", new { ids }));
        Assert.Equal(Calls - Operators, await world.ScalarAsync<long>(
            "select count(*) from calls where id = any(@ids) and state = 'queued'", new { ids }));
    }

    [Fact]
    public async Task OfferToAnOperatorTakenMeanwhileIsNotMadeAndTheCallIsOfferedWhenTheyAreFree()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        // Another offer to the same operator under way: it holds the operator's row and changes their
        // count of assignments (operators.assignments, docs/decisions/0008), as every offer does.
        await using var other = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("update operators set assignments = assignments + 1 where account_id = @id", new { id = op.Id }, other);

        // The intake skips the held operator rather than wait, and leaves the call to the dispatcher,
        // whose round waits for the row.
        var call = await world.CallAsync();
        Assert.Equal(CallStates.Queued, call.State);
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%as a(call_id, to_operator, seen)%'") == 1);

        // The other offer is stored: the count the round read is no longer the operator's, so the
        // round makes no offer, and reads again. The operator, in fact free, then gets the call.
        await other.CommitAsync();

        Assert.Equal(call.CallId, (await op.NextOfferAsync()).Call.Id);
        Assert.Equal("dispatcher", await world.ScalarAsync<string>(
            "select actor_id from call_history_events where call_id = @id and type = 'offered'", new { id = call.CallId }));
        Assert.Equal(1, await world.ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where call_id = @id", new { id = call.CallId }));
    }

    [Fact]
    public async Task OperatorCannotHoldTwoCallsAtOnce()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var first = await world.CallAsync();
        var second = await world.CallAsync();

        var results = await Task.WhenAll(Attempt(op, first.CallId), Attempt(op, second.CallId));

        Assert.Single(results, r => r.Won);
        Assert.Contains(HubErrors.AlreadyOnCall + ":", results.Single(r => !r.Won).Error);
    }

    [Fact]
    public async Task AnAcceptWhoseCallIsEndedWhileItWaitsForTheCallLeavesTheOperatorFree()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var call = await world.CallAsync();
        var later = await world.CallAsync();
        var assignments = await world.ScalarAsync<int>("select assignments from operators where account_id = @id", new { id = op.Id });

        // The caller hangs up in a transaction not yet committed: it holds the call's row, so the accept,
        // whose snapshot still sees the call waiting, writes the operator's row and then waits for the call's.
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var hangUp = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            update calls set state = 'abandoned', outcome = 'abandoned', completed_at = now(), caller_left_at = now(),
                             version = version + 1
            where id = @id;
            delete from call_queue where call_id = @id;
            """, new { id = call.CallId }, hangUp);
        var accept = Attempt(op, call.CallId);
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like '%with picked as%'") == 1);
        await hangUp.CommitAsync();

        // The accept answers why, and its write of the operator's row is not kept: no call, the count unchanged.
        var result = await accept;
        Assert.False(result.Won);
        Assert.Contains(HubErrors.WrongState + ":", result.Error);
        Assert.Equal(1, await world.ScalarAsync<long>(
            "select count(*) from operators where account_id = @id and call_id is null", new { id = op.Id }));
        Assert.Equal(assignments, await world.ScalarAsync<int>("select assignments from operators where account_id = @id", new { id = op.Id }));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from call_events where call_id = @id and type = 'accepted'", new { id = call.CallId }));

        // The operator takes the next waiting call.
        Assert.True((await Attempt(op, later.CallId)).Won);
        Assert.Equal(later.CallId, await world.ScalarAsync<Guid>("select call_id from operators where account_id = @id", new { id = op.Id }));
    }

    private static async Task<AttemptResult> Attempt(OperatorClient op, Guid callId)
    {
        try
        {
            await op.AcceptAsync(callId);
            return new AttemptResult(op, callId, true, null);
        }
        catch (HubException ex)
        {
            return new AttemptResult(op, callId, false, ex.Message);
        }
    }

    private sealed record AttemptResult(OperatorClient Operator, Guid CallId, bool Won, string? Error);
}
