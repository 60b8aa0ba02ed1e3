namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// An offer reaches an operator who is busy elsewhere: a desktop notification while the tab is in the background,
/// and Ctrl+Enter, which takes the call with the cursor in the search field. Each test ends with its operator
/// offline and its calls gone, so the next one's call rings only where it means to.
/// </summary>
public sealed class OfferAlertTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    // Records every notification (and still shows the real one), requests for permission and window.focus, and lets
    // the test put the tab in the background: headless Chromium keeps every page visible.
    private const string Recorder = """
        window.notices = []; window.permissionRequests = 0; window.focusCalls = 0;
        const Real = window.Notification;
        class Recorded extends Real {
          constructor(title, options) {
            super(title, options);
            this.record = { title, body: options?.body ?? '', closed: false };
            window.notices.push(this.record);
            window.lastNotice = this;
          }
          close() { this.record.closed = true; super.close(); }
          static get permission() { return Real.permission; }
          static requestPermission(...args) { window.permissionRequests++; return Real.requestPermission(...args); }
        }
        window.Notification = Recorded;
        const focus = window.focus.bind(window);
        window.focus = () => { window.focusCalls++; focus(); };
        let hidden = false;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get() { return hidden ? 'hidden' : 'visible'; } });
        Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get() { return hidden; } });
        window.setHidden = value => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
        """;

    [Fact]
    public async Task AnOfferWhileTheTabIsInTheBackgroundShowsANotificationWithoutTheNumberThatClosesWhenTheOfferEnds()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403", beforeLoad: async p =>
        {
            await p.Context.GrantPermissionsAsync(["notifications"]);
            await p.AddInitScriptAsync(Recorder);
        });
        await GoAvailableAsync(page);

        // In view, the banner is enough: no notification. Moving to another tab while it rings brings one.
        var hungUp = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("window.notices.length"));
        await page.EvaluateAsync("window.setHidden(true)");
        await UntilAsync(page, "window.notices.length === 1");
        Assert.Equal("Inkommande samtal", await page.EvaluateAsync<string>("window.notices[0].title"));
        Assert.Equal("Bjurholm – menyval skola", await page.EvaluateAsync<string>("window.notices[0].body"));

        // The caller hangs up: the notification goes with the offer.
        await HangUpAsync(app, hungUp);
        await UntilAsync(page, "window.notices[0].closed");

        // Already in the background when the call comes: a notification at once; clicking it brings the tab forward
        // with the focus on "Svara", and Enter takes the call.
        var taken = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await UntilAsync(page, "window.notices.length === 2");
        Assert.Equal("Bjurholm – menyval skola", await page.EvaluateAsync<string>("window.notices[1].body"));
        await page.EvaluateAsync("window.lastNotice.dispatchEvent(new Event('click'))");
        await UntilAsync(page, "window.notices[1].closed && window.focusCalls === 1");
        await page.EvaluateAsync("window.setHidden(false)");
        await Assertions.Expect(page.Locator("#accept")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await FinishAsAnsweredAsync(page);

        // Pausing while a notification shows closes it too.
        await page.EvaluateAsync("window.setHidden(true)");
        var waiting = await PlaceCallAsync(app, BjurholmMainNumber, null);
        await UntilAsync(page, "window.notices.length === 3");
        Assert.Equal("Bjurholm – inget menyval", await page.EvaluateAsync<string>("window.notices[2].body"));
        await page.Keyboard.PressAsync("4");
        await UntilAsync(page, "window.notices[2].closed");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Offline");

        // Never the caller's number (070-123 45 67 on every call here), which a locked screen would show.
        var texts = await page.EvaluateAsync<string>("JSON.stringify(window.notices)");
        Assert.DoesNotContain("070", texts, StringComparison.Ordinal);
        Assert.DoesNotContain("123", texts, StringComparison.Ordinal);
        await HangUpAsync(app, taken);
        await HangUpAsync(app, waiting);
    }

    [Fact]
    public async Task PermissionIsAskedWhenTheOperatorGoesAvailableOrPressesAviseringarNeverOnLoad()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403", beforeLoad: p => p.AddInitScriptAsync(Recorder));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Aviseringar" })).ToBeVisibleAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("window.permissionRequests"));

        await GoAvailableAsync(page);
        await UntilAsync(page, "window.permissionRequests === 1");
        await GoOfflineAsync(page);

        await page.Context.GrantPermissionsAsync(["notifications"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Aviseringar" }).ClickAsync();
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync(
            "Aviseringar på: ett samtal som erbjuds när fliken ligger i bakgrunden visas som en avisering på skärmen.");
        await DashboardPages.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task CtrlEnterTakesTheOfferedCallWhileTheCursorIsInTheSearchFieldWithHits()
    {
        var unitName = Unique("Skolkontoret");
        await OpenUnitAsync(app, "2403", unitName, "skola");
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await page.Keyboard.PressAsync("?");
        var help = page.GetByRole(AriaRole.Dialog, new() { Name = "Kortkommandon" });
        await Assertions.Expect(help).ToContainTextAsync("Ctrl+Enter");
        await page.Keyboard.PressAsync("Escape");
        await GoAvailableAsync(page);

        // The operator is looking something up for the next caller when a call comes.
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync(unitName);
        await Assertions.Expect(page.Locator("#hits button").First).ToContainTextAsync(unitName);
        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#offer")).ToContainTextAsync("Ctrl+Enter svarar också när markören står i sökrutan");
        await Assertions.Expect(page.Locator("#search")).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Control+Enter");

        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync();
        // The key took the call and did not also pick the hit as the destination.
        await Assertions.Expect(page.Locator("#op-message")).Not.ToContainTextAsync("Valt mål");
        await DashboardPages.AssertAccessibleAsync(page);
        await page.Keyboard.PressAsync("Escape");
        await FinishAsAnsweredAsync(page);
        await GoOfflineAsync(page);
        await HangUpAsync(app, platformCallId);
    }

    // Polled from here: Playwright's WaitForFunction evaluates strings in the page, which the page's CSP forbids.
    private static async Task UntilAsync(IPage page, string condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!await page.EvaluateAsync<bool>($"() => Boolean({condition})"))
        {
            Assert.True(DateTime.UtcNow < until, $"still not so after 15 s: {condition}");
            await Task.Delay(100);
        }
    }
}
