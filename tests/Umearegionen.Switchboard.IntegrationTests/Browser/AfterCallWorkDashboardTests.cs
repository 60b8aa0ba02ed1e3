namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The dashboard with after-call work on: 8 s, extended 30 s at a time.</summary>
public sealed class AfterCallWorkBrowserApp : BrowserApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Routing:AfterCallWork"] = "00:00:08",
        ["Routing:AfterCallWorkExtension"] = "00:00:30",
    };
}

public sealed class AfterCallWorkDashboardTests(AfterCallWorkBrowserApp app) : IClassFixture<AfterCallWorkBrowserApp>
{
    /// <summary>Signs an operator in, makes them available, and has them take and answer a call with the keyboard.</summary>
    private async Task<IPage> OperatorWhoAnsweredACallAsync()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await GoAvailableAsync(page);
        await PlaceCallAsync(app, BjurholmMainNumber, null);
        await AnswerTheOfferedCallAsync(page);
        return page;
    }

    /// <summary>Takes the call ringing and ends it as answered, from the keyboard.</summary>
    private static async Task AnswerTheOfferedCallAsync(IPage page)
    {
        await AcceptOfferAsync(page, "Bjurholm");
        await page.Keyboard.PressAsync("b");
        await Assertions.Expect(page.Locator("#f-category")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#f-category")).ToHaveValueAsync("Information lämnad");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#f-submit")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync("Samtalet avslutades som besvarat.");
        // The message may still be there from the call before: the call leaving the panel says this one ended.
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
    }

    [Fact]
    public async Task OperatorInAfterCallWorkSeesItCountDownExtendsItAndEndsItWithTheKeyboard()
    {
        var page = await OperatorWhoAnsweredACallAsync();

        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Efterarbete");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveAttributeAsync("data-status", "wrap_up");
        await Assertions.Expect(page.Locator("#my-status-time")).ToContainTextAsync(" s kvar");
        await Assertions.Expect(page.Locator("#after-call")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("+");
        await Assertions.Expect(page.Locator("#op-message")).ToContainTextAsync("Efterarbetet förlängt");
        await Assertions.Expect(page.Locator("#my-status-time")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\b3\d s kvar"));

        // No call rings while it lasts.
        await PlaceCallAsync(app, BjurholmMainNumber, null);
        await page.WaitForTimeoutAsync(1500);
        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync();
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "operator-after-call-work");

        await page.Keyboard.PressAsync("e");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveAttributeAsync("data-status", "available");
        await Assertions.Expect(page.Locator("#after-call")).ToBeHiddenAsync();
        await AnswerTheOfferedCallAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AfterCallWorkEndsOnItsOwnAndTheNextCallRings()
    {
        var page = await OperatorWhoAnsweredACallAsync();
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Efterarbete");
        await PlaceCallAsync(app, BjurholmMainNumber, null);

        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig", new() { Timeout = 15_000 });
        await AnswerTheOfferedCallAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OperatorSeesTheirOwnFiguresForTheDayCountTheCallJustEnded()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await Assertions.Expect(page.Locator("#my-day-calls")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#my-day-handle")).ToHaveTextAsync("–");
        await Assertions.Expect(page.Locator("#my-day-transferred")).ToHaveTextAsync("–");
        await GoAvailableAsync(page);
        await PlaceCallAsync(app, BjurholmMainNumber, null);

        await AnswerTheOfferedCallAsync(page);

        await Assertions.Expect(page.Locator("#my-day-calls")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#my-day-handle")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s$"));
        await Assertions.Expect(page.Locator("#my-day-transferred")).ToHaveTextAsync("0 %");
        await AssertAccessibleAsync(page);
        await page.Keyboard.PressAsync("e");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ManagerSeesEachOperatorsStatusInColourWithTextAndTheTimeInItTicking()
    {
        var manager = await SignedInAsync(app, Roles.Manager);
        var page = await OperatorWhoAnsweredACallAsync();
        // Longer than the checks below take, however slow the machine.
        await page.Keyboard.PressAsync("+");
        await Assertions.Expect(page.Locator("#op-message")).ToContainTextAsync("Efterarbetet förlängt");

        var badges = manager.Locator("#operators .status-badge[data-status='wrap_up']");
        await Assertions.Expect(badges.First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(badges.First).ToContainTextAsync("Efterarbete");
        await Assertions.Expect(badges.First).ToContainTextAsync(" s kvar");
        await Assertions.Expect(manager.Locator("#operators-summary")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Efterarbete: [1-9]"));
        var before = await badges.First.Locator(".status-time").TextContentAsync();
        await Assertions.Expect(badges.First.Locator(".status-time")).Not.ToHaveTextAsync(before!, new() { Timeout = 3_000 });
        await AssertAccessibleAsync(manager);
        await BrowserApp.ScreenshotAsync(manager, "manager-operators-status");
        await page.Context.CloseAsync();
    }
}
