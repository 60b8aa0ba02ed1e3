namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class RestartTests
{
    private sealed class Restarted(string database) : RoutingApp(database);

    [Fact]
    public async Task AfterARestartWaitingCallsKeepTheirPlacesAndOperatorsTheirCalls()
    {
        var before = new RoutingApp();
        await ((IAsyncLifetime)before).InitializeAsync();
        try
        {
            Guid first, second, connected;
            Guid operatorId;
            string token;
            await using (var world = new RoutingDriver(before))
            {
                var op = await world.OperatorAsync();
                var call = await world.CallAsync();
                await op.NextOfferAsync();
                await op.AcceptAsync(call.CallId);
                connected = call.CallId;
                operatorId = op.Id;
                token = op.Token;
                first = (await world.CallAsync()).CallId;
                before.Clock!.Advance(TimeSpan.FromSeconds(1));
                second = (await world.CallAsync(priority: 0)).CallId;
                await op.DropAsync();
                // Leave the calls in place: the service goes down with them waiting.
                world.KeepCalls();
            }

            await before.DisposeAsync();

            await using var after = new Restarted(before.DatabaseConnectionString);
            await ((IAsyncLifetime)after).InitializeAsync();
            var reconnected = new OperatorClient(after, operatorId, token);
            await reconnected.ConnectAsync();
            var sync = await reconnected.ResyncAsync();

            Assert.Equal(connected, sync.CurrentCall!.Id);
            Assert.Equal(OperatorStatuses.Available, sync.Me!.Status);
            Assert.Equal([first, second], sync.Queue.Calls.Select(c => c.Id).ToList());

            await reconnected.AnswerAsync(connected);
            var offer = await reconnected.NextOfferAsync();
            Assert.Equal(first, offer.Call.Id);
            await reconnected.DisposeAsync();
        }
        finally
        {
            await ((IAsyncLifetime)before).DisposeAsync();
        }
    }

    [Fact]
    public async Task OfferThatExpiredWhileTheServiceWasDownIsResolvedAtStart()
    {
        var before = new RoutingApp();
        await ((IAsyncLifetime)before).InitializeAsync();
        try
        {
            Guid callId;
            await using (var world = new RoutingDriver(before))
            {
                var op = await world.OperatorAsync();
                callId = (await world.CallAsync()).CallId;
                await op.NextOfferAsync();
                world.KeepCalls();
            }

            await before.DisposeAsync();
            await using var conn = new Npgsql.NpgsqlConnection(before.DatabaseConnectionString);
            await conn.OpenAsync();
            // The service was down past the offer's expiry.
            await using (var cmd = new Npgsql.NpgsqlCommand(
                "update calls set offer_expires_at = offer_expires_at - interval '1 hour' where id = @id", conn))
            {
                cmd.Parameters.AddWithValue("id", callId);
                await cmd.ExecuteNonQueryAsync();
            }

            await using var after = new Restarted(before.DatabaseConnectionString);
            await ((IAsyncLifetime)after).InitializeAsync();
            var world2 = new RoutingDriver(after);
            await world2.EventuallyAsync(async () => (await world2.CallRecordAsync(callId)).State == CallStates.Queued);
            Assert.Equal("timed_out", await world2.ScalarAsync<string>(
                $"select resolution from {OfferRows.Table} offers where call_id = @callId", new { callId }));
        }
        finally
        {
            await ((IAsyncLifetime)before).DisposeAsync();
        }
    }
}
