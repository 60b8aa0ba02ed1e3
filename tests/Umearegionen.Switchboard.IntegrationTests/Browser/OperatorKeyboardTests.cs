namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class OperatorKeyboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task OperatorPausesWithAReasonReadsTheShortcutsAndEndsACallAsAnsweredWithoutTheMouse()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403");

        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Paus (Rast)");
        await page.Keyboard.PressAsync("?");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Kortkommandon" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "operator-shortcuts");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();

        await GoAvailableAsync(page);
        await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Inkommande samtal" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("a");
        await Assertions.Expect(page.Locator("#call-topic")).ToHaveTextAsync("skola");

        await page.Keyboard.PressAsync("b");
        await Assertions.Expect(page.Locator("#f-category")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#f-category")).ToHaveValueAsync("Information lämnad");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync("Samtalet avslutades som besvarat.");
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
    }
}
