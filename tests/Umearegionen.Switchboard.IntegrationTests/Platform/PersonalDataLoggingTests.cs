using Serilog.Core;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>Caller numbers and citizens' names never reach the log in clear, at any level.</summary>
public sealed class PersonalDataLoggingTests(PersonalDataLoggingTests.App app) : IClassFixture<PersonalDataLoggingTests.App>
{
    public sealed class App : RoutingApp
    {
        public CapturingSink Log { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Verbose",
        };

        protected override ILogEventSink LogSink => Log;
    }

    [Fact]
    public async Task CallerNumberAndNamesOfACallAndItsFaultReportAreNeverLoggedInClear()
    {
        const string CallerNumber = "+46701239876";
        const string CitizenName = "Astrid Loggprovsson";
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var platform = await world.PlatformAsync();

        var receipt = await platform.PlaceCallAsync(new NewCallReport(
            "log-" + Guid.NewGuid().ToString("N"), "070-123 98 76", RoutingDriver.Vannas, "vatten", 0));
        var offer = await op.NextOfferAsync();
        await op.AcceptAsync(offer.Call.Id);
        await op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            receipt.CallId, "2460", "Vattenläcka i källaren", "Storgatan 1, Vännäs", CallerNumber, "felanmälan", CitizenName));
        await platform.ReportAsync(receipt.PlatformCallId, "ended");

        // The call itself was logged (by its id), so the log was really captured.
        Assert.Contains(app.Log.Events, e => e.Contains(receipt.CallId.ToString(), StringComparison.Ordinal));
        var leaks = app.Log.Events.Where(e =>
            e.Contains("701239876", StringComparison.Ordinal) || e.Contains("123 98 76", StringComparison.Ordinal)
            || e.Contains("Loggprovsson", StringComparison.Ordinal) || e.Contains("Storgatan 1", StringComparison.Ordinal)).ToList();
        Assert.Empty(leaks);
    }

    [Fact]
    public async Task RequestsAreLoggedByThisServiceWithoutTheSearchTermsInTheirQueryString()
    {
        using var http = await app.ClientForAsync("operator", "2480");

        var response = await http.GetAsync("/api/directory/search?q=Gunborg%20Requestloggsson");

        response.EnsureSuccessStatusCode();
        Assert.Contains(app.Log.Events, e => e.Contains("responded", StringComparison.Ordinal) && e.Contains("/api/directory/search", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Events, e => e.Contains("Requestloggsson", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SearchesByNumberOrNameForHistoryAndExtractsAreNotLoggedInClear()
    {
        using var http = await app.ClientForAsync("administrator");

        var calls = await http.GetAsync("/api/calls?number=070-555%2012%2034");
        var byNumber = await http.GetAsync("/api/personal-data/extract?number=070-555%2012%2034");
        var byName = await http.GetAsync("/api/personal-data/extract?name=Gunhild%20Extraktsson");

        Assert.All(new[] { calls, byNumber, byName }, r => r.EnsureSuccessStatusCode());
        Assert.Contains(app.Log.Events, e => e.Contains("/api/personal-data/extract", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Events, e => e.Contains("5551234", StringComparison.Ordinal) || e.Contains("555 12 34", StringComparison.Ordinal)
            || e.Contains("Extraktsson", StringComparison.OrdinalIgnoreCase));
    }
}
