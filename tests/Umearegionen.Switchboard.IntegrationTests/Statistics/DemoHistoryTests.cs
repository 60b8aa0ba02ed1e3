namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

public sealed class DemoHistoryTests(StatisticsApp app) : IClassFixture<StatisticsApp>
{
    [Fact]
    public async Task ADemoInstallationStartsWithEightWeeksOfHistoryInEveryServedMunicipality()
    {
        var demo = app.Service<StatisticsDemoData>();
        Assert.False(await demo.IsLoadedAsync(default));
        await demo.LoadAsync(default);
        Assert.True(await demo.IsLoadedAsync(default));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var manager = await app.ClientForAsync("manager");
        var summary = await manager.GetFromJsonAsync<Summary>(
            $"/api/statistics/summary?from={today.AddDays(-70):yyyy-MM-dd}&to={today:yyyy-MM-dd}&by=municipality");

        Assert.Equal(6, summary!.Rows.Count);
        Assert.InRange(summary.Total.Offered, 39 * 1400, 41 * 1400); // 40 weekdays (39–41 around a DST week)
        Assert.NotNull(summary.Total.ServiceLevel);
        Assert.InRange(summary.Total.ClosedDestinations, 1, summary.Total.Answered / 10);
    }
}
