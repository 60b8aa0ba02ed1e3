namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// Every way an offer ends stops the ring at once on every screen of the operator: banner, tab title, chime,
/// countdown and the Enter that would take the call. Each test ends with its operators offline and its calls gone,
/// so the next one's call rings only where it means to.
/// </summary>
public sealed class OfferEndingTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Ringing = "☎ Samtal – Umeåregionens växel";
    private const string Quiet = "Umeåregionens växel";

    [Fact]
    public async Task PausingOrGoingOfflineWhileACallRingsStopsTheRingOnEveryScreenAndEnterNoLongerTakesTheCall()
    {
        var (first, second, platformCallId) = await ACallRingingOnTwoScreensAsync();

        // Paus on the first screen: the second hears of it only from the service (OfferWithdrawn).
        await first.Keyboard.PressAsync("2");
        await Assertions.Expect(first.Locator("#my-status")).ToHaveTextAsync("Din status: Paus (Rast)");
        await QuietAsync(first);
        await QuietAsync(second);
        await Assertions.Expect(second.Locator("#op-message")).ToHaveTextAsync("Erbjudandet drogs tillbaka: Du lämnade Tillgänglig; samtalet gick tillbaka till kön.");
        var tones = await second.EvaluateAsync<int>("window.chimeTones");
        Assert.True(tones > 0, "the offer chimed while it rang");
        await second.WaitForTimeoutAsync(4_500); // the chime repeats every 4 s while an offer rings
        Assert.Equal(tones, await second.EvaluateAsync<int>("window.chimeTones"));
        await second.Keyboard.PressAsync("Enter");
        await first.Keyboard.PressAsync("Enter");
        await second.WaitForTimeoutAsync(500);
        await Assertions.Expect(second.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
        await Assertions.Expect(first.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");

        // Offline (4) likewise: available again, the waiting call rings, and goes quiet on both screens.
        await first.Keyboard.PressAsync("1");
        await RingsAsync(first);
        await RingsAsync(second);
        await GoOfflineAsync(first);
        await QuietAsync(first);
        await QuietAsync(second);
        await second.Keyboard.PressAsync("Enter");
        await second.WaitForTimeoutAsync(500);
        await Assertions.Expect(second.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");
        await DashboardPages.AssertAccessibleAsync(second);
        await HangUpAsync(app, platformCallId);
    }

    [Fact]
    public async Task AnOfferTakenOnOneScreenStopsRingingOnTheOtherWhichShowsTheCall()
    {
        var (first, second, platformCallId) = await ACallRingingOnTwoScreensAsync();

        await first.Keyboard.PressAsync("Enter");
        await Assertions.Expect(first.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await QuietAsync(second);
        await Assertions.Expect(second.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await Assertions.Expect(second.Locator("#op-message")).ToBeEmptyAsync();

        await FinishAsAnsweredAsync(first);
        await GoOfflineAsync(first);
        await HangUpAsync(app, platformCallId);
    }

    [Fact]
    public async Task ACallerWhoHangsUpWhileItRingsStopsTheRingAndThePageSaysSoInSwedish()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await GoAvailableAsync(page);
        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await RingsAsync(page);

        await HangUpAsync(app, platformCallId);

        await QuietAsync(page);
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync("Erbjudandet drogs tillbaka: Den som ringde lade på.");
        await GoOfflineAsync(page);
    }

    /// <summary>One operator signed in on two screens, available on the first; a call comes and rings on both.</summary>
    private async Task<(IPage First, IPage Second, string PlatformCallId)> ACallRingingOnTwoScreensAsync()
    {
        var (first, second) = await TwoScreensAsync();
        await GoAvailableAsync(first);
        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "skola");
        await RingsAsync(first);
        await RingsAsync(second);
        return (first, second, platformCallId);
    }

    private async Task<(IPage First, IPage Second)> TwoScreensAsync()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var first = await app.NewPageAsync();
        await CountChimesAsync(first);
        await SignInAsync(first, account.Username, password);
        var second = await app.NewPageAsync();
        await CountChimesAsync(second);
        await SignInAsync(second, account.Username, password);
        return (first, second);
    }

    private static async Task RingsAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveTitleAsync(Ringing);
        await Assertions.Expect(page.Locator("#offer .countdown")).ToContainTextAsync("s kvar att svara");
    }

    // At once: well before the offer's own 15 s would run out.
    private static async Task QuietAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync(new() { Timeout = 3_000 });
        await Assertions.Expect(page).ToHaveTitleAsync(Quiet, new() { Timeout = 1_000 });
        await Assertions.Expect(page.Locator("#offer .countdown")).ToBeEmptyAsync(new() { Timeout = 1_000 });
    }
}
