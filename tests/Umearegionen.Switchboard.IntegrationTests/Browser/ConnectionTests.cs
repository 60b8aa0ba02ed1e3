namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// The connection pill and resynchronisation, with the network between Chromium and Kestrel really cut: the page is
/// loaded through a <see cref="TcpProxy"/>, and cutting it closes the WebSocket and refuses new connections.
/// (Playwright's offline emulation leaves an open WebSocket alone: the client noticed only after its 30-second server
/// timeout when tried, so it does not stand in for a dropped network.)
/// </summary>
public sealed class ConnectionTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    [Fact]
    public async Task OperatorOnACallKeepsItThroughADroppedConnectionAndAfterResyncSeesWhatChangedMeanwhileWithoutReloading()
    {
        var unitName = Unique("Fritidsgården");
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var unit = await CreateUnitAsync(editor, "2403", unitName, ["fritid"]);
        await using var proxy = new TcpProxy("127.0.0.1", new Uri(app.BaseAddress).Port);
        var page = await SignedInAsync(app, Roles.Operator, "2403", $"http://127.0.0.1:{proxy.Port}");
        await page.GetByLabel("Sök", new() { Exact = true }).FillAsync(unitName);
        var hit = page.Locator("#hits button").First;
        await Assertions.Expect(hit).ToContainTextAsync("Öppettider saknas");
        await page.Keyboard.PressAsync("Escape");
        await GoAvailableAsync(page);
        await PlaceCallAsync(app, BjurholmMainNumber, "bygglov");
        await AcceptOfferAsync(page, "Bjurholm");
        await Assertions.Expect(page.Locator("#queue-summary")).ToHaveTextAsync("Ingen väntar.");

        proxy.Cut();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Återansluter …", Patient);
        await PlaceCallAsync(app, "+4693514000", "skola");
        var notice = Unique("Skolskjutsarna är försenade");
        var manager = await app.ClientForAsync(Roles.Manager);
        (await manager.PostAsJsonAsync("/api/notices", new
        {
            municipalityCode = "2460", topics = Array.Empty<string>(), text = notice, expiresAt = DateTimeOffset.UtcNow.AddHours(1),
        })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await PutHoursAsync(editor, unit.Id, 0, AroundTheClock)).StatusCode);
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Återansluter …");
        await Assertions.Expect(page.Locator("#queue-summary")).ToHaveTextAsync("Ingen väntar.");
        await Assertions.Expect(hit).ToContainTextAsync("Öppettider saknas");
        await BrowserApp.ScreenshotAsync(page, "operator-reconnecting");

        proxy.Restore();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten", Patient);
        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await Assertions.Expect(page.Locator("#queue-summary")).ToContainTextAsync("1 väntar");
        await Assertions.Expect(page.Locator("#queue-rows")).ToContainTextAsync("Vännäs");
        await Assertions.Expect(page.Locator("#notices")).ToContainTextAsync(notice);
        await Assertions.Expect(hit).ToContainTextAsync("Öppet");
        await Assertions.Expect(hit).Not.ToContainTextAsync("Öppettider saknas");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: I samtal");
        await Assertions.Expect(page.Locator("#reconnect")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task AConnectionThatCannotComeBackEndsInInteAnslutenAndTryingAgainConnectsOnceTheServiceIsReachable()
    {
        await using var proxy = new TcpProxy("127.0.0.1", new Uri(app.BaseAddress).Port);
        var page = await SignedInAsync(app, Roles.Operator, "2403", $"http://127.0.0.1:{proxy.Port}",
            beforeLoad: p => p.Clock.InstallAsync());
        await Assertions.Expect(page.Locator("#reconnect")).ToBeHiddenAsync();

        proxy.Cut();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Återansluter …", Patient);
        await page.Clock.FastForwardAsync("02:00"); // longer than the page keeps reconnecting by itself
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Inte ansluten", Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Försök igen" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "operator-disconnected");

        // Stop the page's own quiet retries, so only the button can bring the connection back. (Pausing jumps a few
        // seconds ahead first, far enough not to lie in the past however slowly the machine runs; a retry due meanwhile
        // fails, as the network is still cut.)
        var now = await page.EvaluateAsync<double>("Date.now()");
        await page.Clock.PauseAtAsync(DateTimeOffset.FromUnixTimeMilliseconds((long)now + 5_000).UtcDateTime);
        await Assertions.Expect(page.Locator("#connection")).ToHaveAttributeAsync("aria-busy", "false"); // no attempt under way
        proxy.Restore();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Inte ansluten");
        await page.GetByRole(AriaRole.Button, new() { Name = "Försök igen" }).ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten", Patient);
        await Assertions.Expect(page.Locator("#reconnect")).ToBeHiddenAsync();
        await page.Clock.ResumeAsync();
        await GoAvailableAsync(page);
    }
}
