namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// An e-service's steps (docs/directory.md, "E-service steps") from the editor's form to the operator: "Visa steg" in
/// the search and beside the e-service of a suggested unit in the call panel (docs/dashboard.md).
/// </summary>
public sealed class EServiceStepsDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Letters(int n) => new(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Concat("abcdefgh").Take(n).ToArray());

    private static readonly string[] Steps = ["Gå till bjurholm.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och startdatum."];

    [Fact]
    public async Task AnEditorAddsAnEServiceWithStepsAndAnOperatorShowsThemInTheSearchAndInTheCallsSuggestions()
    {
        var topic = "förskoleplats" + Letters(5);
        var unitName = Unique("Förskolan Solgläntan");
        var service = "Ansök om plats " + Letters(5);
        var unitId = await OpenUnitAsync(app, "2403", unitName, topic);

        // The editor adds the e-service with its steps in the unit's form and saves.
        var editor = await SignedInAsync(app, Roles.Editor, "2403");
        await editor.GetByLabel("Filtrera").FillAsync(unitName);
        await editor.GetByRole(AriaRole.Button, new() { Name = unitName }).ClickAsync();
        var eServices = editor.Locator("#u-eservices");
        await eServices.FillAsync($"{service} | https://www.bjurholm.se/forskoleplats\n1. {Steps[0]}\n2. {Steps[1]}\n3. {Steps[2]}");
        await AssertAccessibleAsync(editor);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Spara ändringar" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#unit-status")).ToContainTextAsync("Sparat");
        var stored = (await (await app.ClientForAsync(Roles.Editor, "2403")).GetFromJsonAsync<Unit>($"/api/directory/units/{unitId}", Json))!;
        Assert.Equal(Steps, Assert.Single(stored.EServices, e => e.Name == service).Steps!);

        // A call for the unit's topic: its suggestion lists the e-service with "Visa steg".
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await page.Keyboard.PressAsync("1");
        await Assertions.Expect(page.Locator("#my-status")).ToHaveTextAsync("Din status: Tillgänglig");
        await PlaceCallAsync(app, "+4693214000", topic);
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        var suggestion = page.GetByRole(AriaRole.List, new() { Name = "Förslag ur katalogen" }).Locator("> li", new() { HasText = unitName });
        var eService = suggestion.Locator("li.eservice", new() { HasText = service });
        await Assertions.Expect(eService).ToBeVisibleAsync();
        var show = eService.GetByRole(AriaRole.Button, new() { Name = "Visa steg" });
        await Assertions.Expect(show).ToHaveAttributeAsync("aria-expanded", "false");
        await show.ClickAsync();
        var steps = eService.GetByRole(AriaRole.List, new() { Name = $"Steg för {service}" });
        await Assertions.Expect(steps).ToBeVisibleAsync();
        await Assertions.Expect(steps.Locator("li")).ToHaveTextAsync(Steps);
        await Assertions.Expect(eService.GetByRole(AriaRole.Button, new() { Name = "Dölj steg" })).ToHaveAttributeAsync("aria-expanded", "true");
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "operator-call-eservice-steps");

        // The same steps from the search.
        await page.Locator("#search").FillAsync(service);
        var hit = page.Locator("#hits li").Filter(new() { Has = page.Locator("[data-kind='e-service']") }).First;
        await Assertions.Expect(hit).ToContainTextAsync(service);
        await hit.GetByRole(AriaRole.Button, new() { Name = "Visa steg" }).ClickAsync();
        await Assertions.Expect(hit.GetByRole(AriaRole.List, new() { Name = $"Steg för {service}" }).Locator("li")).ToHaveTextAsync(Steps);
        await AssertAccessibleAsync(page);
    }
}
