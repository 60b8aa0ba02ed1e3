using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

public sealed class TwoMinuteBounceBackApp : StatisticsApp
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings) { ["Statistics:BounceBackWindow"] = "00:02:00" };
}

public sealed class BounceBackWindowTests(TwoMinuteBounceBackApp app) : IClassFixture<TwoMinuteBounceBackApp>
{
    [Fact]
    public async Task TheConfiguredWindowDecidesWhatIsABounceBack()
    {
        var history = new CallHistory(app);
        var start = Local(2026, 4, 14, 14, 0);
        // Transfers complete at start + 70 s; the callers call again 120 s and 121 s later.
        await history.AddAsync(new PastCall("2480", start, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: "+46706660001", UnitId: "u", UnitName: "U"));
        await history.AddAsync(new PastCall("2480", start.AddSeconds(70 + 120), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "answered", Caller: "+46706660001"));
        await history.AddAsync(new PastCall("2480", start.AddMinutes(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), "transferred", Caller: "+46706660002", UnitId: "u", UnitName: "U"));
        await history.AddAsync(new PastCall("2480", start.AddMinutes(30).AddSeconds(70 + 121), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "answered", Caller: "+46706660002"));
        var manager = await app.ClientForAsync("manager");

        var summary = await manager.GetFromJsonAsync<Summary>("/api/statistics/summary?from=2026-04-14&to=2026-04-14");

        Assert.Equal(120, summary!.Settings.BounceBackWindowSeconds);
        Assert.Equal(2, summary.Total.Transferred);
        Assert.Equal(1, summary.Total.BounceBacks);
    }
}
