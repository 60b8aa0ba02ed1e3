namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// Search that finds what citizens say (docs/directory.md): an editor keeps synonyms in the dashboard, and an
/// operator reads an e-service's steps to a caller from its search hit.
/// </summary>
public sealed class SearchDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Letters(int n) => new(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(n).ToArray());

    [Fact]
    public async Task EditorAddsASynonymAndTheOperatorFindsTheTopicByTheCallersWord()
    {
        var topic = "snöröjning" + Letters(4);
        var word = "snöplogning" + Letters(4);
        var admin = await app.ClientForAsync(Roles.Administrator);
        var unit = await CreateUnitAsync(admin, "2460", "Gata och park", [topic]);

        var editor = await SignedInAsync(app, Roles.Editor, "2460");
        await editor.GetByRole(AriaRole.Link, new() { Name = "Synonymer", Exact = true }).ClickAsync();
        await Assertions.Expect(editor.Locator("#synonym-form")).ToBeVisibleAsync();
        await AssertAccessibleAsync(editor);

        // Two words are refused beside the word's field, and nothing is kept.
        await editor.GetByLabel("Ord som den som ringer säger").FillAsync("snö plogning");
        await editor.GetByLabel("Betyder (ämnet eller ordet i katalogen)").FillAsync(topic);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Lägg till synonymen" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#s-word-error")).ToContainTextAsync("ett enda ord");
        await Assertions.Expect(editor.Locator("#synonyms tr")).ToHaveCountAsync(0);
        await AssertAccessibleAsync(editor);

        await editor.GetByLabel("Ord som den som ringer säger").FillAsync(word);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Lägg till synonymen" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#synonyms")).ToContainTextAsync(word);
        await Assertions.Expect(editor.Locator("#synonyms-status")).ToContainTextAsync($"{word} betyder nu också {topic}");
        await AssertAccessibleAsync(editor);
        await BrowserApp.ScreenshotAsync(editor, "editor-synonyms");

        // The operator types the caller's word without å/ä/ö and finds the topic the directory uses.
        var operatorPage = await SignedInAsync(app, Roles.Operator, "2403");
        await operatorPage.Keyboard.PressAsync("/");
        await operatorPage.Keyboard.TypeAsync(word.Replace('ö', 'o'));
        var hit = operatorPage.Locator("#hits [data-kind=topic]").First;
        await Assertions.Expect(hit).ToContainTextAsync(topic);
        await Assertions.Expect(hit).ToContainTextAsync("Vännäs");

        // Removed in the dashboard (after the question), the word finds nothing any more.
        editor.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = $"Ta bort {word} → {topic}" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#synonyms tr")).ToHaveCountAsync(0);
        var hits = await admin.GetFromJsonAsync<Umearegionen.Switchboard.Directory.SearchHit[]>($"/api/directory/search?q={Uri.EscapeDataString(word)}", Json);
        Assert.DoesNotContain(hits!, h => h.UnitId == unit.Id);
    }

    [Fact]
    public async Task EditorImportsSynonymsFromAFileSeesBadRowsByNumberAndExportsTheList()
    {
        var topic = "avfallshämtning" + Letters(4);
        var first = "sophämtning" + Letters(4);
        var second = "tömning" + Letters(4);
        var editor = await SignedInAsync(app, Roles.Editor, "2460");
        await editor.GetByRole(AriaRole.Link, new() { Name = "Synonymer", Exact = true }).ClickAsync();
        var file = editor.GetByLabel("CSV-fil med kolumnerna word och means");

        // A row with two words is refused by its number, and nothing of the file is kept.
        var broken = $"word;means\n{first};{topic}\nsop tunna;{topic}\n";
        await file.SetInputFilesAsync(new FilePayload { Name = "synonymer.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(broken) });
        await editor.GetByRole(AriaRole.Button, new() { Name = "Importera synonymer" }).ClickAsync();
        var report = editor.Locator("#synonyms-file-report");
        await Assertions.Expect(report).ToContainTextAsync("Ingenting importerades: 1 fel i filen");
        await Assertions.Expect(report.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(report.Locator("tbody tr td").First).ToHaveTextAsync("3");
        await Assertions.Expect(editor.Locator("#synonyms")).Not.ToContainTextAsync(first);
        await AssertAccessibleAsync(editor);

        var good = $"word;means\n{first};{topic}\n{second};{topic}\n";
        await file.SetInputFilesAsync(new FilePayload { Name = "synonymer.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(good) });
        await editor.GetByRole(AriaRole.Button, new() { Name = "Importera synonymer" }).ClickAsync();
        await Assertions.Expect(report).ToHaveTextAsync("Klart: 2 synonymer lades till, 0 fanns redan.");
        await Assertions.Expect(editor.Locator("#synonyms")).ToContainTextAsync(first);
        await Assertions.Expect(editor.Locator("#synonyms")).ToContainTextAsync(second);

        // The export is the service's file as it came, with both rows; importing it again adds nothing.
        var download = await editor.RunAndWaitForDownloadAsync(() => editor.GetByRole(AriaRole.Button, new() { Name = "Exportera som CSV" }).ClickAsync());
        Assert.Equal("synonyms-2460.csv", download.SuggestedFilename);
        var exported = await File.ReadAllBytesAsync(await download.PathAsync());
        var text = System.Text.Encoding.UTF8.GetString(exported);
        Assert.StartsWith("\uFEFF\"word\";\"means\"\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"\"{first}\";\"{topic}\"\r\n", text, StringComparison.Ordinal);
        await Assertions.Expect(report).ToContainTextAsync("synonyms-2460.csv är sparad");
        await file.SetInputFilesAsync(new FilePayload { Name = "synonyms-2460.csv", MimeType = "text/csv", Buffer = exported });
        await editor.GetByRole(AriaRole.Button, new() { Name = "Importera synonymer" }).ClickAsync();
        await Assertions.Expect(report).ToContainTextAsync("0 synonymer lades till");
        await AssertAccessibleAsync(editor);
    }

    [Fact]
    public async Task OperatorShowsAnEServicesStepsToReadToTheCaller()
    {
        var name = "Ansök om förskoleplats " + Letters(5);
        var editor = await app.ClientForAsync(Roles.Editor, "2401");
        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2401", "Förskola Nordmaling", eServices:
        [
            new { name, url = "https://www.nordmaling.se/e-tjanster/forskoleplats",
                  steps = new[] { "Gå till nordmaling.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och startdatum." } },
        ]));
        await EnsureAsync(response, System.Net.HttpStatusCode.Created);

        var page = await SignedInAsync(app, Roles.Operator, "2401");
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync(name);
        var item = page.Locator("#hits li").Filter(new() { Has = page.Locator("[data-kind='e-service']") }).First;
        await Assertions.Expect(item).ToContainTextAsync(name);
        var steps = item.GetByRole(AriaRole.List, new() { Name = $"Steg för {name}" });
        await Assertions.Expect(steps).ToBeHiddenAsync();

        var show = item.GetByRole(AriaRole.Button, new() { Name = "Visa steg" });
        await Assertions.Expect(show).ToHaveAttributeAsync("aria-expanded", "false");
        await show.ClickAsync();

        await Assertions.Expect(steps).ToBeVisibleAsync();
        await Assertions.Expect(steps.Locator("li")).ToHaveTextAsync(["Gå till nordmaling.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och startdatum."]);
        var hide = item.GetByRole(AriaRole.Button, new() { Name = "Dölj steg" });
        await Assertions.Expect(hide).ToHaveAttributeAsync("aria-expanded", "true");
        await AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "operator-eservice-steps");

        // A hit without steps has no such button.
        await page.Locator("#search").FillAsync("Förskola Nordmaling");
        await Assertions.Expect(page.Locator("#hits [data-kind='unit']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hits li").Filter(new() { Has = page.Locator("[data-kind='unit']") }).First
            .GetByRole(AriaRole.Button, new() { Name = "Visa steg" })).ToHaveCountAsync(0);
    }
}
