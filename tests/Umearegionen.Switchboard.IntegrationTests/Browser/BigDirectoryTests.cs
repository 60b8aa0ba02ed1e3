namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The dashboard over a full-size directory: 3,000 units and 20,000 people (issue 6).</summary>
public sealed class BigDirectoryTests(BigDirectoryBrowserApp app) : IClassFixture<BigDirectoryBrowserApp>
{
    /// <summary>What the operator view asks the search for (search.js).</summary>
    private const int HitLimit = 25;

    [Fact]
    public async Task OperatorTypingADistinctiveNameWithoutÅÄÖFindsThePersonWithReferralAndOpenStatusAndTheHitsStayBounded()
    {
        var surname = "Öhrn" + string.Concat(Enumerable.Range(0, 4).Select(_ => "bdfgklmnprtv"[Random.Shared.Next(12)])) + "ström";
        var unitName = Unique("Överförmyndarkontoret");
        var unitId = await OpenUnitAsync(app, "2404", unitName, "god man");
        var editor = await app.ClientForAsync(Roles.Editor, "2404");
        await CreatePersonAsync(editor, unitId, $"Gunhild {surname}", "Handläggare",
            new { until = DateTimeOffset.UtcNow.AddDays(3), reason = "Semester", referTo = "Växeln", referToPhone = "0933-140 00" });

        var page = await SignedInAsync(app, Roles.Operator, "2480");
        var errors = CollectErrors(page);
        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("gunhild " + Fold(surname).ToLowerInvariant());

        var hit = page.Locator("#hits button", new() { HasText = $"Gunhild {surname}" });
        // The first search over 20,000 people may take longer than Playwright's 5 s on a busy CI machine.
        await Assertions.Expect(hit).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(hit).ToContainTextAsync("Person");
        await Assertions.Expect(hit).ToContainTextAsync(unitName);
        await Assertions.Expect(hit).ToContainTextAsync("Öppet dygnet runt");
        await Assertions.Expect(hit.Locator(".referral")).ToContainTextAsync("Hänvisad till");
        await Assertions.Expect(hit.Locator(".referral")).ToContainTextAsync("(Semester) – kontakta Växeln 0933-140 00");
        await BrowserApp.ScreenshotAsync(page, "operator-big-directory-search");

        // A surname hundreds of people share: the list stops at the search's limit.
        await page.Locator("#search").FillAsync("");
        await page.Locator("#search").PressSequentiallyAsync("Lindberg");
        await Assertions.Expect(page.Locator("#search-status")).ToHaveTextAsync($"{HitLimit} träffar");
        await Assertions.Expect(page.Locator("#hits li")).ToHaveCountAsync(HitLimit);
        await Assertions.Expect(page.Locator("#hits button").First).ToContainTextAsync("Lindberg");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task EditorOfUmeåSeesEveryUnitOfTheMunicipalityAndChoosingOneShowsItsPeople()
    {
        var editorClient = await app.ClientForAsync(Roles.Editor, "2480");
        var expected = (await editorClient.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!
            .Select(u => u.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.Length >= BigDirectoryBrowserApp.Units / 2, $"Umeå has {expected.Length} units");

        const string Busiest = """
            select u.id, u.name from directory_units u
            where u.municipality_code = '2480'
              and not exists (select 1 from directory_units o where o.municipality_code = '2480' and o.name = u.name and o.id <> u.id)
            order by (select count(*) from directory_people p where p.unit_id = u.id) desc, u.name
            limit 1
            """;
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        var (unitId, unitName) = await conn.QuerySingleAsync<(Guid, string)>(Busiest);
        var people = (await conn.QueryAsync<string>("select name from directory_people where unit_id = @unitId", new { unitId })).ToArray();
        Assert.NotEmpty(people);

        var page = await SignedInAsync(app, Roles.Editor, "2480");
        var errors = CollectErrors(page);
        await Assertions.Expect(page.Locator("#units tr")).ToHaveCountAsync(expected.Length, new() { Timeout = 30_000 });
        var listed = await page.Locator("#units tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(expected, listed.Order(StringComparer.Ordinal).ToArray());
        await BrowserApp.ScreenshotAsync(page, "editor-big-directory");

        await page.GetByLabel("Filtrera").FillAsync(unitName);
        await page.Locator("#units").GetByRole(AriaRole.Button, new() { Name = unitName, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#unit-detail h3").First).ToHaveTextAsync(unitName);
        await page.Locator("#tab-people").ClickAsync();
        var rows = page.Locator("#unit-detail table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(people.Length);
        var shown = await page.Locator("#unit-detail table tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(people.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task OperatorWithTheWholeDirectoryLoadedStillAcceptsAnOfferedCallWithEnter()
    {
        var page = await SignedInAsync(app, Roles.Operator, "2403");
        var errors = CollectErrors(page);
        await GoAvailableAsync(page);

        var platformCallId = await PlaceCallAsync(app, BjurholmMainNumber, "bygglov");
        await Assertions.Expect(page.Locator("#offer")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#offer")).ToContainTextAsync("Bjurholm");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#offer")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await Assertions.Expect(page.Locator("#call-topic")).ToHaveTextAsync("bygglov");
        var instructions = await InstructionsForAsync(app, platformCallId);
        Assert.Contains(instructions, i => i.GetProperty("kind").GetString() == "connect");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>Uncaught errors and console errors of the page, as they happen.</summary>
    internal static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        page.Console += (_, message) => { if (message.Type == "error") errors.Add($"{message.Text} ({message.Location})"); };
        return errors;
    }

    private static string Fold(string text) => text.Replace('Ö', 'O').Replace('ö', 'o').Replace('Å', 'A').Replace('å', 'a').Replace('Ä', 'A').Replace('ä', 'a');
}
