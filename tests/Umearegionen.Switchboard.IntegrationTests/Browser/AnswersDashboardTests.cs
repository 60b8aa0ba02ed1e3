namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>Answers (docs/answers.md) in the dashboard: an editor writes one, an operator finds it in the search.</summary>
public sealed class AnswersDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task EditorWritesAnAnswerAndAnOperatorFindsItByATypoWithTheTextToReadOut()
    {
        var word = "kokningsrekommendation" + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(5).ToArray());
        var question = $"Måste jag koka vattnet? {word}";
        var text = "Ja, koka dricksvattnet i tre minuter tills vidare.";
        var editor = await SignedInAsync(app, Roles.Editor, "2460");
        await editor.GetByRole(AriaRole.Link, new() { Name = "Svar", Exact = true }).ClickAsync();
        await Assertions.Expect(editor.Locator("#answer-form")).ToBeVisibleAsync();
        await AssertAccessibleAsync(editor);

        // A bad date range is refused beside its field, and nothing is saved.
        await editor.GetByLabel("Fråga").FillAsync(question);
        await editor.GetByLabel("Svar att läsa upp").FillAsync(text);
        await editor.GetByLabel("Ämnen (kommaseparerade)").FillAsync($"vatten, {word}");
        await editor.GetByLabel("Gäller från").FillAsync("2026-12-24");
        await editor.GetByLabel("Gäller till och med").FillAsync("2026-12-01");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Skapa svaret" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#a-to-error")).ToBeVisibleAsync();
        await editor.GetByLabel("Gäller från").FillAsync("");
        await editor.GetByLabel("Gäller till och med").FillAsync("");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Skapa svaret" }).ClickAsync();
        await Assertions.Expect(editor.Locator("#answers")).ToContainTextAsync(question);
        await Assertions.Expect(editor.Locator("#answer-detail h3").First).ToHaveTextAsync(question);
        await AssertAccessibleAsync(editor);
        await BrowserApp.ScreenshotAsync(editor, "editor-answers");

        var operatorPage = await SignedInAsync(app, Roles.Operator, "2403");
        await operatorPage.Keyboard.PressAsync("/");
        await operatorPage.Keyboard.TypeAsync(word.Remove(5, 1));
        var hit = operatorPage.Locator("#hits [data-kind=answer]").First;
        await Assertions.Expect(hit).ToContainTextAsync(question);
        await Assertions.Expect(hit.Locator(".hit-answer")).ToHaveTextAsync(text);
        await Assertions.Expect(hit).ToContainTextAsync("Vännäs");
        await AssertAccessibleAsync(operatorPage);
        await BrowserApp.ScreenshotAsync(operatorPage, "operator-answer-hit");
    }
}
