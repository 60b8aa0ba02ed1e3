using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.IntegrationTests.Routing;
using Umearegionen.Switchboard.Statistics;

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
}
