namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class OperatorFinishingTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task OperatorRegistersAFaultReportAndBooksACallbackFromTheKeyboard()
    {
        var unitName = Unique("Gatuenheten");
        await OpenUnitAsync(app, "2460", unitName, "gata");
        var (page, faultCall) = await OperatorOnACallAsync(app, "+4693514000", "gata", "Vännäs");
        await page.Keyboard.PressAsync("f");
        await Assertions.Expect(page.Locator("#f-what")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Gatlyktan lyser inte");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Storgatan 12");
        await Assertions.Expect(page.Locator("#f-municipality")).ToHaveValueAsync("2460");
        await Assertions.Expect(page.Locator("#f-category")).ToHaveValueAsync("Felanmälan");
        await BrowserApp.ScreenshotAsync(page, "operator-fault-report");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync("Felanmälan registrerad.");
        Assert.Equal("end", (await InstructionsForAsync(app, faultCall)).Last().GetProperty("kind").GetString());

        await PlaceCallAsync(app, "+4693514000", "gata");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("a");
        await Assertions.Expect(page.Locator("#call-topic")).ToHaveTextAsync("gata");
        await PickFirstHitAsync(page, unitName);
        await page.Keyboard.PressAsync("r");
        await Assertions.Expect(page.Locator("#f-destination")).ToHaveTextAsync(unitName);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync($"Återuppringning bokad hos {unitName}.");
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
    }
}
