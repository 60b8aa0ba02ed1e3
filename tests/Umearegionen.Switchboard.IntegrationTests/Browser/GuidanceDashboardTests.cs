using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The dashboard on Kestrel with the SMS gateway simulator (a real HTTP listener) as its gateway.</summary>
public sealed class GuidanceBrowserApp : BrowserApp
{
    public SmsGatewaySimulator Gateway { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Gateway = SmsGatewaySimulator.Start();
        await base.InitializeAsync();
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Sms:BaseUrl"] = Gateway.BaseUrl,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

/// <summary>Guidance (docs/guidance.md) in the operator's call panel: an answer's link sent by SMS, its status shown.</summary>
public sealed class GuidanceDashboardTests(GuidanceBrowserApp app) : IClassFixture<GuidanceBrowserApp>
{
    [Fact]
    public async Task OperatorSendsAnAnswersLinkBySmsToTheCallerAndSeesItSent()
    {
        var topic = "bygglov" + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(5).ToArray());
        await OpenUnitAsync(app, "2403", Unique("Bygglovskontoret"), topic);
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var question = Unique("Hur söker jag bygglov?");
        (await editor.PostAsJsonAsync("/api/answers", new
        {
            municipalityCode = "2403", question, answer = "Ansök i e-tjänsten; handläggningen tar upp till tio veckor.", topics = new[] { topic },
            unitIds = Array.Empty<Guid>(), eServices = new[] { new { name = "Ansök om bygglov", url = "https://www.bjurholm.se/bygglov" } },
        })).EnsureSuccessStatusCode();
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig");
        await PlaceCallAsync(app, "+4693214000", topic);
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        var answer = page.Locator(".call-answers li", new() { HasText = question });
        await Assertions.Expect(answer).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#guidance-sent")).ToContainTextAsync("Inga länkar skickade");

        await answer.GetByRole(AriaRole.Button, new() { Name = $"Skicka länk (SMS): {question}" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Mobilnummer")).ToHaveValueAsync("070-123 45 67");
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka SMS" }).ClickAsync();

        var sent = page.Locator("#guidance-sent li");
        await Assertions.Expect(sent).ToContainTextAsync($"SMS till 070-123 45 67: {question}");
        await Assertions.Expect(sent.Locator(".badge")).ToContainTextAsync("Skickad");
        await Assertions.Expect(page.Locator("#guidance-form")).ToBeHiddenAsync();
        var sms = Assert.Single(app.Gateway.Messages, m => m.Text.StartsWith(question, StringComparison.Ordinal));
        Assert.Equal("+46701234567", sms.To);
        Assert.Contains("https://www.bjurholm.se/bygglov", sms.Text, StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "operator-guidance-sent");

        // A number that is not a Swedish mobile number is refused beside the field, and nothing more is sent.
        await answer.GetByRole(AriaRole.Button, new() { Name = $"Skicka länk (SMS): {question}" }).ClickAsync();
        await page.GetByLabel("Mobilnummer").FillAsync("090-16 10 00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka SMS" }).ClickAsync();
        await Assertions.Expect(page.Locator("#guidance-error")).ToHaveTextAsync("Numret är inget svenskt mobilnummer; skriv t.ex. 070-123 45 67.");
        await Assertions.Expect(sent).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page);
    }
}
