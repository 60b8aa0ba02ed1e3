namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class ManagerDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ManagerSeesNewCallsCountedPerMunicipalityAndTheQueueGrowLive()
    {
        var page = await SignedInAsync(app, Roles.Manager);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Läget just nu" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#m-queue")).ToHaveTextAsync("0");

        await PlaceCallAsync(app, "+4693514000", "vatten");
        await PlaceCallAsync(app, "+4693514000", "skola");
        await PlaceCallAsync(app, BjurholmMainNumber, null);

        await Assertions.Expect(page.Locator("#per-municipality td[data-municipality='2460']")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#per-municipality td[data-municipality='2403']")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#m-queue")).ToHaveTextAsync("3");
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Vännäs" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "manager-live");

        // A caller who hangs up at once is abandoned, and a short abandon, as in the statistics.
        var hungUp = await PlaceCallAsync(app, BjurholmMainNumber, null);
        await new TelephonySimulator.SimulatedPlatform(await app.TelephonyClientAsync()).ReportAsync(hungUp, Contracts.PlatformEventTypes.Ended);
        await Assertions.Expect(page.Locator("#m-abandoned")).ToHaveTextAsync("1 (1 korta avbrott)");
    }
}
