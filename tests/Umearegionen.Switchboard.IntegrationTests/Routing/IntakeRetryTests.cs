namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The intake knows a retry by the call's platform id, read in its statement, without <c>on conflict</c>
/// (docs/call-cost.md P12). A retry whose first attempt commits while the retry's statement runs makes
/// the insert fail on the unique platform id: the answer is the call stored, never an error.
/// </summary>
public sealed class IntakeRetryTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task ARetryRacingTheFirstAttemptsCommitIsAnsweredWithTheCallStored()
    {
        await using var world = new RoutingDriver(app);
        var platformCallId = "race-" + Guid.NewGuid().ToString("N");
        var firstId = Guid.NewGuid();
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var first = await conn.BeginTransactionAsync();
        // The first attempt's row, not yet committed: the retry's statement does not see it and waits on
        // the unique index for this transaction to end.
        await conn.ExecuteAsync("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at)
            values (@firstId, @platformCallId, '+46701112233', '+4690161000', '2480', 'queued', now())
            """, new { firstId, platformCallId }, first);
        var firstPid = await conn.ExecuteScalarAsync<int>("select pg_backend_pid()", transaction: first);
        var client = await app.TelephonyClientAsync();

        var retry = client.PostAsJsonAsync("/api/telephony/calls", new NewCallReport(platformCallId, "+46701112233", RoutingDriver.Umea));
        // The retry's statement waits for the first attempt's transaction (its text is longer than what
        // pg_stat_activity keeps of a query, so it is found by what blocks it).
        await world.EventuallyAsync(async () => await world.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and @firstPid = any (pg_blocking_pids(pid))",
            new { firstPid }) > 0);
        await first.CommitAsync();
        using var response = await retry;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = (await response.Content.ReadFromJsonAsync<CallReceipt>())!;
        Assert.Equal(firstId, receipt.CallId);
        Assert.False(receipt.Created);
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from calls where platform_call_id = @platformCallId", new { platformCallId }));
        Assert.Equal(0, await world.ScalarAsync<long>(
            "select count(*) from call_events e join calls c on c.id = e.call_id where c.platform_call_id = @platformCallId", new { platformCallId }));
        await client.PostAsJsonAsync($"/api/telephony/calls/{platformCallId}/events", new CallEventReport("e1", PlatformEventTypes.Ended));
    }
}
