using Umearegionen.Switchboard.IntegrationTests.OpeningHours;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>Statistics from calls handled the real way: telephony API, dispatcher, operator on the hub.</summary>
public sealed class RoutedCallTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task ACallTransferredThroughTheHubCountsUnderItsUnitWithWaitHandleAndWrapUp()
    {
        await using var world = new RoutingDriver(app);
        // A real directory unit without stored hours: transfers to it are allowed (status unknown).
        var unitId = (await OpeningHours.OpeningHoursTestApi.NewUnitAsync(app, "2460", "Bygglov Vännäs")).ToString();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Vannas, topic: "bygglov");
        await op.NextOfferAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(12));
        await op.AcceptAsync(call.CallId);
        app.Clock.Advance(TimeSpan.FromSeconds(90));
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(
            call.CallId, "blind", new Destination("unit", unitId, "+4693514100", "Bygglov Vännäs"), "transfer-unit"));
        await op.SetStatusAsync(OperatorStatuses.WrapUp);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await op.SetStatusAsync(OperatorStatuses.Available);

        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).DateTime);
        var manager = await RoutingDriver.ClientAsync(app, "manager");
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&by=unit&municipality=2460");

        var unit = Assert.Single(summary!.Rows);
        Assert.Equal(unitId, unit.Key);
        Assert.StartsWith("Bygglov Vännäs", unit.Label);
        Assert.Equal(1, unit.Metrics.Transferred);
        Assert.Equal(12, unit.Metrics.AverageSpeedOfAnswerSeconds);
        Assert.Equal(120, unit.Metrics.AverageHandleSeconds); // 90 s on the call + 30 s wrap-up
    }

    [Fact]
    public async Task AnEndedCallWaitsOutsideTheRollupsUntilTheNextFlushAndTheNextStatisticsReadCountsIt()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Bjurholm, topic: "flush-prov");
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.AnswerAsync(call.CallId);
        var db = app.Service<Npgsql.NpgsqlDataSource>();
        async Task<long> PendingAsync()
        {
            await using var cmd = db.CreateCommand(
                "select count(*) from (select call_id from call_facts_due union select call_id from call_facts_pending) n where call_id = $1");
            cmd.Parameters.AddWithValue(call.CallId);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        // The clock has not moved, so the background flush has not run: the call is not yet in the rollups.
        Assert.Equal(1, await PendingAsync());
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock!.GetUtcNow(),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).DateTime);
        var manager = await RoutingDriver.ClientAsync(app, "manager");
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&by=topic&municipality=2403");

        Assert.Equal(0, await PendingAsync());
        var topic = Assert.Single(summary!.Rows, r => r.Key == "flush-prov");
        Assert.Equal(1, topic.Metrics.Offered);
        Assert.Equal(1, topic.Metrics.AnsweredBySwitchboard);
    }

    [Fact]
    public async Task ATransferRefusedBecauseTheUnitIsClosedIsRecordedWithoutChangingTheCallAndCountsOnce()
    {
        // Wednesday 12:30: a unit with office hours (08–12, 13–16:30) is closed, one without hours is not checked.
        var wednesday = FakeClock.WednesdayAhead(app.Clock!);
        app.Clock!.SetUtcNow(FakeClock.At(wednesday, 12, 30).ToUniversalTime());
        var closed = await OpeningHoursTestApi.UnitWithHoursAsync(app, "2403", OpeningHoursTestApi.Office());
        var open = await OpeningHoursTestApi.NewUnitAsync(app, "2403", "Växel Bjurholm");
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Bjurholm, topic: "socialtjanst");
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        var version = await world.ScalarAsync<int>("select version from calls where id = @id", new { id = call.CallId });

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", new Destination("unit", closed.ToString(), null, "Stängd"), "transfer")));
        var consult = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("StartConsultation",
            new ConsultRequest(call.CallId, new Destination("unit", closed.ToString(), null, "Stängd"))));

        Assert.Contains(HubErrors.DestinationClosed + ":", refused.Message);
        Assert.Contains(HubErrors.DestinationClosed + ":", consult.Message);
        Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(call.CallId)).State);
        Assert.Equal(version, await world.ScalarAsync<int>("select version from calls where id = @id", new { id = call.CallId }));
        Assert.Equal(2L, await world.ScalarAsync<long>("""
            select count(*) from call_events
            where call_id = @id and type = 'destination_closed' and data ->> 'unitId' = @unit and data -> 'fallback' ->> 'kind' = 'on-call'
              and data ->> 'opensAt' is not null and not data ? 'callerNumber'
            """, new { id = call.CallId, unit = closed.ToString() }));

        await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", new Destination("unit", open.ToString(), null, "Växel"), "transfer"));
        var manager = await RoutingDriver.ClientAsync(app, "manager");
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={wednesday:yyyy-MM-dd}&to={wednesday:yyyy-MM-dd}&by=unit&municipality=2403");

        Assert.Equal(1, summary!.Total.ClosedDestinations);
        var closedRow = summary.Rows.Single(r => r.Key == closed.ToString());
        Assert.Equal((0, 1), (closedRow.Metrics.Offered, closedRow.Metrics.ClosedDestinations));
        Assert.StartsWith("Enhet", closedRow.Label);
        var openRow = summary.Rows.Single(r => r.Key == open.ToString());
        Assert.Equal((1, 0), (openRow.Metrics.Transferred, openRow.Metrics.ClosedDestinations));
    }

    [Fact]
    public async Task ABlindTransferRefusedBecauseThePersonIsAwayIsRecordedByIdsOnlyAndIsNoClosedDestination()
    {
        var wednesday = FakeClock.WednesdayAhead(app.Clock!);
        app.Clock!.SetUtcNow(FakeClock.At(wednesday, 10, 0).ToUniversalTime());
        var unit = await OpeningHoursTestApi.NewUnitAsync(app, "2403", "Skola Bjurholm");
        var editor = await app.ClientForAsync("editor", "2403");
        var person = await Directory.DirectoryApi.CreatePersonAsync(editor, unit, Directory.DirectoryApi.Unique("Eva Ek"), "Rektor",
            new { until = FakeClock.At(wednesday.AddDays(2), 8, 0), reason = "Semester", referTo = "Karin Berg", referToPhone = "0933-140 10" });
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Umea);
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(call.CallId, "blind", new Destination("person", person.Id.ToString(), null, person.Name), "transfer")));

        Assert.Contains(HubErrors.PersonAway + ":", refused.Message);
        var data = await world.ScalarAsync<string>(
            "select data::text from call_events where call_id = @id and type = 'destination_away'", new { id = call.CallId });
        Assert.Contains(person.Id.ToString(), data);
        Assert.Contains(unit.ToString(), data);
        Assert.DoesNotContain("Eva Ek", data);
        Assert.DoesNotContain("Semester", data);
        Assert.DoesNotContain("Karin", data);
        await op.Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(call.CallId, "answered", null));
        var manager = await RoutingDriver.ClientAsync(app, "manager");
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={wednesday:yyyy-MM-dd}&to={wednesday:yyyy-MM-dd}&municipality=2480");
        Assert.Equal(0, summary!.Total.ClosedDestinations);
    }
}
