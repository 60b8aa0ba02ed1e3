namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class EditorDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task EditorOpensAUnitAroundTheClockAndAConnectedOperatorSeesItOpenWithoutReloading()
    {
        var unitName = Unique("Kundtjänst Vatten");
        var editorClient = await app.ClientForAsync(Roles.Editor, "2480");
        await CreateUnitAsync(editorClient, "2480", unitName, ["vatten"]);

        var operatorPage = await SignedInAsync(app, Roles.Operator, "2403");
        await operatorPage.Keyboard.PressAsync("/");
        await operatorPage.Keyboard.TypeAsync(unitName);
        var hit = operatorPage.Locator("#hits button").First;
        await Assertions.Expect(hit).ToContainTextAsync("Öppettider saknas");

        var editorPage = await SignedInAsync(app, Roles.Editor, "2480");
        await editorPage.GetByLabel("Filtrera").FillAsync(unitName);
        await editorPage.GetByRole(AriaRole.Button, new() { Name = unitName }).ClickAsync();
        await Assertions.Expect(editorPage.Locator("#unit-detail h3").First).ToHaveTextAsync(unitName);
        await editorPage.Locator("#tab-hours").ClickAsync();
        foreach (var day in new[] { "Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag" })
        {
            await editorPage.GetByLabel(day, new() { Exact = true }).FillAsync("00:00-00:00");
        }

        await editorPage.GetByRole(AriaRole.Button, new() { Name = "Spara öppettider" }).ClickAsync();
        await Assertions.Expect(editorPage.Locator("#hours-title + p")).ToContainTextAsync("Version 1");
        await BrowserApp.ScreenshotAsync(editorPage, "editor-hours");

        await Assertions.Expect(hit).ToContainTextAsync("Öppet");
        await Assertions.Expect(hit).Not.ToContainTextAsync("Öppettider saknas");
        await Assertions.Expect(operatorPage.Locator("#directory-updated")).ToContainTextAsync("Katalogen uppdaterad");
        await BrowserApp.ScreenshotAsync(operatorPage, "operator-directory-updated");
    }

    [Fact]
    public async Task EditorSavingAUnitSomeoneElseChangedMeanwhileIsToldWhoAndNothingIsOverwritten()
    {
        var unitName = Unique("Bibliotek");
        var editorClient = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editorClient, "2480", unitName, ["bibliotek"]);
        var page = await SignedInAsync(app, Roles.Editor, "2480");
        await page.GetByLabel("Filtrera").FillAsync(unitName);
        await page.GetByRole(AriaRole.Button, new() { Name = unitName }).ClickAsync();

        var colleague = await SendAsync(editorClient, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2480", unitName + " (kollega)", topics: ["bibliotek"]));
        colleague.EnsureSuccessStatusCode();
        await page.GetByLabel("Besöksadress").FillAsync("Rådhustorget 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara ändringar" }).ClickAsync();

        await Assertions.Expect(page.Locator("#unit-form .error")).ToContainTextAsync("Någon annan hann före");
        await BrowserApp.ScreenshotAsync(page, "editor-unit-conflict");
        var stored = await editorClient.GetFromJsonAsync<Unit>($"/api/directory/units/{unit.Id}", Json);
        Assert.Equal(unitName + " (kollega)", stored!.Name);
        Assert.Equal("Skolgatan 31A, Umeå", stored.VisitingAddress);
    }

    [Fact]
    public async Task EditorImportingAFileWithAnErrorSeesTheRowReportAndNothingIsImportedUntilItIsCorrected()
    {
        var key = "imp-" + Guid.NewGuid().ToString("N")[..8];
        var page = await SignedInAsync(app, Roles.Editor, "2460");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import" }).ClickAsync();

        var broken = $"type;key;parent;name;phone\nunit;{key};;Socialtjänsten {key};0935-140 00\nperson;;;Anna Andersson;0935-141 11\n";
        await page.GetByLabel("CSV-fil").SetInputFilesAsync(new FilePayload { Name = "katalog.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(broken) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Importera" }).ClickAsync();
        await Assertions.Expect(page.Locator("#import-report")).ToContainTextAsync("Ingenting importerades");
        await Assertions.Expect(page.Locator("#import-report table")).ToContainTextAsync("parent");
        await BrowserApp.ScreenshotAsync(page, "editor-import");

        var fixedFile = broken.Replace("person;;;", $"person;;{key};", StringComparison.Ordinal);
        await page.GetByLabel("CSV-fil").SetInputFilesAsync(new FilePayload { Name = "katalog.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(fixedFile) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Importera" }).ClickAsync();
        await Assertions.Expect(page.Locator("#import-report")).ToHaveTextAsync("Klart: 1 enheter och 1 personer importerades.");
    }

    [Fact]
    public async Task EditorPublishesADisruptionNoticeThatAnOperatorSeesPinnedAndEndsIt()
    {
        var text = Unique("Vattenavstängning på Storgatan");
        var operatorPage = await SignedInAsync(app, Roles.Operator, "2403");
        var page = await SignedInAsync(app, Roles.Editor, "2460");
        await page.GetByRole(AriaRole.Link, new() { Name = "Driftstörningar" }).ClickAsync();
        await page.GetByLabel("Ämnen").FillAsync("vatten, avlopp");
        await page.GetByLabel("Text till telefonisterna").FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Publicera" }).ClickAsync();

        await Assertions.Expect(page.Locator("#notice-list")).ToContainTextAsync(text);
        await Assertions.Expect(operatorPage.Locator("#notices")).ToContainTextAsync(text);
        await Assertions.Expect(operatorPage.Locator("#notices")).ToContainTextAsync("Vännäs · vatten, avlopp");
        await BrowserApp.ScreenshotAsync(page, "editor-notices");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Avsluta driftstörningen: {text}" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice-list")).Not.ToContainTextAsync(text);
        await Assertions.Expect(operatorPage.Locator("#notices")).Not.ToContainTextAsync(text);
    }
}
