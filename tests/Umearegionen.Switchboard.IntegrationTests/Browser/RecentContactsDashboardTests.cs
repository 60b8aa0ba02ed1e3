namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The caller's recent contacts in the call panel (docs/dashboard.md, "The caller's recent contacts").</summary>
public sealed class RecentContactsDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ACallerTransferredMinutesAgoCallsAgainAndTheOperatorIsWarnedWhereTheyWentFromTheKeyboard()
    {
        var unitName = Unique("Bygglov Vännäs");
        await OpenUnitAsync(app, "2460", unitName, "bygglov");
        var (page, _) = await OperatorOnACallAsync(app, "+4693514000", "bygglov", "Vännäs");
        // The first call from the number has no earlier contacts: nothing is shown.
        await Assertions.Expect(page.Locator("#recent-contacts > *")).ToHaveCountAsync(0);
        await TransferToFirstHitAsync(page, unitName);
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync($"Samtalet kopplades till {unitName}.");
        await page.Keyboard.PressAsync("e");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig");

        // The same number calls again minutes later.
        await PlaceCallAsync(app, "+4693514000", "bygglov");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        var warning = page.Locator("#recent-warning");
        await Assertions.Expect(warning).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            $"^Kopplades till {System.Text.RegularExpressions.Regex.Escape(unitName)}, Vännäs i dag \\d\\d:\\d\\d – kontrollera att det är rätt enhet\\. " +
            "Den som ringer kom tillbaka till växeln strax efter\\.$"));
        var list = page.Locator("#recent-contacts .recent-list li");
        await Assertions.Expect(list).ToHaveCountAsync(1);
        await Assertions.Expect(list.First).ToContainTextAsync($"Kopplat – {unitName}, Vännäs");
        await Assertions.Expect(list.First).ToContainTextAsync("Kom tillbaka");
        // The number is on the call already; the list does not repeat it.
        await Assertions.Expect(page.Locator("#recent-contacts")).Not.ToContainTextAsync("070-123 45 67");
        await Assertions.Expect(page.Locator("#recent-title")).ToHaveTextAsync("Tidigare samtal från numret (1)");
        // The suggestion it went to says so.
        await Assertions.Expect(page.Locator(".suggestions button.hit", new() { HasText = unitName }).Locator(".transferred-here"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Kopplades hit i dag \\d\\d:\\d\\d$"));

        // Keyboard: Tab reaches the list's heading, Enter folds it away and opens it again.
        for (var i = 0; i < 40 && !await page.Locator("#recent-title").EvaluateAsync<bool>("el => el === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Assertions.Expect(page.Locator("#recent-title")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(list.First).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(list.First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "operator-recent-contacts");

        // A moment past in words, against a fixed now: Wednesday 2026-12-09 10:00 in Stockholm.
        var words = await page.EvaluateAsync<string[]>("""
            async () => {
              const { pastWhenText } = await import('/js/views/operator-call.js');
              const now = new Date('2026-12-09T09:00:00Z');
              return ['2026-12-09T07:30:00Z', '2026-12-08T13:05:00Z', '2026-12-07T09:00:00Z', '2026-12-03T12:00:00Z',
                      '2026-12-02T12:00:00Z'].map(at => pastWhenText(new Date(at), now));
            }
            """);
        Assert.Equal(["i dag 08:30", "i går 14:05", "i måndags 10:00", "i torsdags 13:00", "2026-12-02 13:00"], words);

        // A reload (Resync) shows them again.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#recent-warning")).ToContainTextAsync($"Kopplades till {unitName}, Vännäs");
        await Assertions.Expect(list).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }
}
