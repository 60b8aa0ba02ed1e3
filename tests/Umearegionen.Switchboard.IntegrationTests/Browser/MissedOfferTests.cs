namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class MissedOfferTests(ShortOfferBrowserApp app) : IClassFixture<ShortOfferBrowserApp>
{
    [Fact]
    public async Task AnOfferLeftToRingOutStopsRingingAndThePauseReadsSwedishForTheOperatorAndTheManager()
    {
        var manager = await SignedInAsync(app, Roles.Manager);
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await GoAvailableAsync(page);
        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();

        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync(new() { Timeout = 8_000 });
        await Assertions.Expect(page).ToHaveTitleAsync("Umeåregionens växel");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Paus (Missade ett erbjudet samtal)");
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync("Du är pausad: Missade ett erbjudet samtal");
        await Assertions.Expect(manager.Locator("#operators")).ToContainTextAsync("Paus (Missade ett erbjudet samtal)", new() { Timeout = 10_000 });
        Assert.DoesNotContain("Did not answer", await manager.Locator("#view").InnerTextAsync());
        await DashboardPages.AssertAccessibleAsync(manager);
        await DashboardPages.AssertAccessibleAsync(page);

        await HangUpAsync(app, platformCallId);
        await GoOfflineAsync(page);
    }
}
