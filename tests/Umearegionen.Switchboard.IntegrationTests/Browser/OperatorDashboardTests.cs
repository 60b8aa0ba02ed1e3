namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class OperatorDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task OperatorGoesAvailableAcceptsTheOfferedCallSearchesAndTransfersItWithTheKeyboardAlone()
    {
        var unitName = Unique("Bygglovskontoret");
        await OpenUnitAsync(app, "2403", unitName, "bygglov");
        var manager = await app.ClientForAsync(Roles.Manager);
        var notice = "Bygglovshandläggarna är på utbildning; hänvisa till e-tjänsten.";
        (await manager.PostAsJsonAsync("/api/notices", new
        {
            municipalityCode = "2403", topics = new[] { "bygglov" }, text = notice, expiresAt = DateTimeOffset.UtcNow.AddHours(2),
        })).EnsureSuccessStatusCode();
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await Assertions.Expect(page.Locator("#notices")).ToContainTextAsync(notice);

        await GoAvailableAsync(page);

        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "bygglov");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#offer")).ToContainTextAsync("Bjurholm");
        await BrowserApp.ScreenshotAsync(page, "operator-offer");

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await Assertions.Expect(page.Locator("#call-topic")).ToHaveTextAsync("bygglov");
        await Assertions.Expect(page.Locator("#call-body .call-notices")).ToContainTextAsync(notice);
        await PlaceCallAsync(app, "+4693514000", "skola");
        await Assertions.Expect(page.Locator("#queue-summary")).ToContainTextAsync("1 väntar");
        await Assertions.Expect(page.Locator("#queue-rows")).ToContainTextAsync("Vännäs");

        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync(unitName);
        var firstHit = page.Locator("#hits button").First;
        await Assertions.Expect(firstHit).ToContainTextAsync(unitName);
        await Assertions.Expect(firstHit).ToContainTextAsync("Öppet");
        await BrowserApp.ScreenshotAsync(page, "operator-call");

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#f-destination")).ToContainTextAsync(unitName);
        await Assertions.Expect(page.Locator("#f-submit")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync($"Samtalet kopplades till {unitName}.");
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
        var transfer = (await InstructionsForAsync(app, platformCallId)).Last();
        Assert.Equal("transfer", transfer.GetProperty("kind").GetString());
        Assert.Equal(unitName, transfer.GetProperty("destination").GetProperty("name").GetString());
        await BrowserApp.ScreenshotAsync(page, "operator-after-transfer");
    }
}
