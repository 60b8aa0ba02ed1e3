using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>The manager's intraday chart reads the day from the calls stored, whenever the page is opened.</summary>
public sealed class IntradayTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task TodayIsEveryQuarterHourSinceMidnightWithTheCallsThatArrivedInIt()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var answered = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(answered.CallId);
        await op.AnswerAsync(answered.CallId);
        var abandoned = await world.CallAsync();
        await op.NextOfferAsync();
        await (await world.PlatformAsync()).ReportAsync(abandoned.PlatformCallId, PlatformEventTypes.Ended);
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);

        var today = await manager.GetFromJsonAsync<IntradayCalls>("/api/statistics/today");

        var now = app.Clock!.GetUtcNow();
        var midnight = LiveView.StartOfDay(now, "Europe/Stockholm");
        Assert.Equal(15, today!.IntervalMinutes);
        Assert.Equal(midnight, today.Intervals[0].Start);
        Assert.Equal((int)((now - midnight) / TimeSpan.FromMinutes(15)) + 1, today.Intervals.Count);
        Assert.All(today.Intervals.Zip(today.Intervals.Skip(1)), p => Assert.Equal(TimeSpan.FromMinutes(15), p.Second.Start - p.First.Start));
        var last = today.Intervals[^1];
        Assert.True(last.Start <= now && now < last.Start.AddMinutes(15));
        Assert.Equal((2, 1, 1), (last.Calls, last.Answered, last.Abandoned));
        Assert.Equal(2, today.Intervals.Sum(i => i.Calls));
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Editor)]
    public async Task OnlyManagersAndAdministratorsReadTheDay(string role)
    {
        var client = await RoutingDriver.ClientAsync(app, role, "2403");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/statistics/today")).StatusCode);
    }
}
