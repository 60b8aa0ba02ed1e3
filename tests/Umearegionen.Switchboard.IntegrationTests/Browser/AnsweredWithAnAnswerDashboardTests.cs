using static Umearegionen.Switchboard.IntegrationTests.Answers.AnswersApiTests;

namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// Answered with an answer in the dashboard (docs/answers.md): the operator ends a call with one of its answers from
/// the keyboard, and a manager sees the answer used in Statistik. Only this class's database has Robertsfors' calls.
/// </summary>
public sealed class AnsweredWithAnAnswerDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Robertsfors = "+4693414000";

    private static string Today => TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow,
        TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task OperatorEndsACallWithAnAnswerFromTheKeyboardAndTheManagerSeesItInStatistik()
    {
        var topic = "bygglov" + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(5).ToArray());
        var answer = await CreateAsync(await app.ClientForAsync(Roles.Editor, "2409"),
            Body("2409", $"Hur söker jag bygglov? {topic}", "Ansök i e-tjänsten Bygglov på robertsfors.se.", topics: [topic]));
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        await page.Keyboard.PressAsync("1");
        var platformCallId = await PlaceCallAsync(app, Robertsfors, topic);
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");
        var listed = page.Locator($".call-answers [data-answer-id='{answer.Id}']");
        await Assertions.Expect(listed).ToContainTextAsync(answer.Answer);

        // The caller hangs up after hearing the answer: the push of the call (CallUpdated, without answers)
        // keeps the answers in the panel, so the operator can still record which answer it was.
        var telephony = await app.TelephonyClientAsync();
        (await telephony.PostAsJsonAsync($"/api/telephony/calls/{platformCallId}/events", new { eventId = "hangup", type = "ended" })).EnsureSuccessStatusCode();
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Den som ringde lade på");
        await Assertions.Expect(listed).ToContainTextAsync(answer.Answer);

        // Tab reaches the answer's button; Enter presses it and the form waits on its submit button.
        var button = listed.GetByRole(AriaRole.Button, new() { Name = "Besvarat med svar" });
        for (var i = 0; i < 60 && !await button.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Assertions.Expect(button).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#f-answer")).ToHaveTextAsync(answer.Question);
        await Assertions.Expect(page.Locator("#f-submit")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#f-category")).ToHaveValueAsync("Information lämnad");
        await AssertAccessibleAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#op-message")).ToHaveTextAsync($"Samtalet avslutades som besvarat med svar: {answer.Question}.");
        await Assertions.Expect(page.Locator("#call-body")).ToContainTextAsync("Inget samtal just nu");

        var manager = await SignedInAsync(app, Roles.Manager);
        await manager.GetByRole(AriaRole.Link, new() { Name = "Statistik" }).ClickAsync();
        await manager.GetByLabel("Från och med").FillAsync(Today);
        await manager.GetByLabel("Till och med").FillAsync(Today);
        await manager.Locator("#s-municipality").SelectOptionAsync("2409");
        await manager.GetByRole(AriaRole.Button, new() { Name = "Visa statistik" }).ClickAsync();

        var used = manager.Locator("#a-answer-rows tr", new() { HasText = answer.Question });
        await Assertions.Expect(used.Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Assertions.Expect(manager.Locator("#a-resolution")).ToContainTextAsync("1 av 1 besvarade, 1 med svar");
        await Assertions.Expect(manager.Locator("#a-resolution-rows")).ToContainTextAsync($"Menyval: {topic}");
        await AssertAccessibleAsync(manager);
        await BrowserApp.ScreenshotAsync(manager, "manager-answer-statistics");
    }
}
