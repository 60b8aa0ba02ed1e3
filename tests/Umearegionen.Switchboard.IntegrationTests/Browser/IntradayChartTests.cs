namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class IntradayChartTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ManagersDayChartShowsTheCallsSinceMidnightFromTheServiceAlsoAfterAReload()
    {
        // Calls that arrived before the page was opened.
        await PlaceCallAsync(app, BjurholmMainNumber, null);
        await PlaceCallAsync(app, "+4693514000", "vatten");
        await PlaceCallAsync(app, "+4693514000", "skola");
        var page = await SignedInAsync(app, Roles.Manager);
        await Assertions.Expect(page.GetByText("Samtal per kvart idag").First).ToBeVisibleAsync();

        var summary = page.Locator("details summary", new() { HasText = "Visa som tabell" });
        await summary.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        // The table is drawn whole from one answer: three calls, in one quarter (or two, across its end).
        var calls = page.Locator("#day-intervals tr td:nth-of-type(1)");
        await Assertions.Expect(calls.First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-3]$"));
        Assert.Equal(3, (await calls.AllTextContentsAsync()).Sum(int.Parse));
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "manager-intraday");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten", new() { Timeout = 15_000 });
        await Assertions.Expect(calls.First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-3]$"));
        Assert.Equal(3, (await calls.AllTextContentsAsync()).Sum(int.Parse));
    }
}
