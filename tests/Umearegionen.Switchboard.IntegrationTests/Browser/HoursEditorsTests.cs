namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// The holiday-policy editor (editors, own municipality) and the switchboard's own hours (administrators; read-only for
/// operators). Each test uses a municipality of its own, since a policy is per municipality and the class shares a database.
/// </summary>
public sealed class HoursEditorsTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task EditorChangesTheirMunicipalitysHolidayPolicyWhichIsStoredShownInThePreviewAndListedInTheHistory()
    {
        var page = await SignedInAsync(app, Roles.Editor, "2460");
        await page.GetByRole(AriaRole.Link, new() { Name = "Helgdagar" }).ClickAsync();
        await Assertions.Expect(page.Locator("#view h2")).ToHaveTextAsync("Helgdagar – Vännäs");
        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync("Standardregler");
        await Assertions.Expect(page.Locator("#hp-preview tr[data-key='julafton'] td").Last).ToHaveTextAsync("Stängt");

        await page.Locator("#hp-julafton-kind").SelectOptionAsync("hours");
        await page.Locator("#hp-julafton-hours").FillAsync("09:00-12:00");
        await page.Locator("#hp-nyarsafton-kind").SelectOptionAsync("closeEarly");
        await page.Locator("#hp-nyarsafton-at").FillAsync("13:00");
        await page.Locator("#hp-dayBeforeHoliday-kind").SelectOptionAsync("normal");
        await Assertions.Expect(page.Locator("#hp-preview tr[data-key='julafton'] td").Last).ToHaveTextAsync("Öppet 09:00–12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara helgdagsregler" }).ClickAsync();

        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync("Version 1");
        await Assertions.Expect(page.Locator("#hp-form .ok")).ToContainTextAsync("Sparat");
        await Assertions.Expect(page.Locator("#hp-history li").First).ToContainTextAsync("Julafton: Stängt → Öppet 09:00–12:00");
        await Assertions.Expect(page.Locator("#hp-history li").First).ToContainTextAsync("Nyårsafton: Stängt → Som vanligt, men stänger senast 13:00");
        await Assertions.Expect(page.Locator("#hp-preview tr[data-key='nyarsafton'] td").Last).ToContainTextAsync("13:00");
        await BrowserApp.ScreenshotAsync(page, "editor-holiday-policy");

        var reader = await app.ClientForAsync(Roles.Operator);
        var stored = await reader.GetFromJsonAsync<JsonElement>("/api/opening-hours/municipalities/2460/holiday-policy");
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
        var policy = stored.GetProperty("policy");
        Assert.Equal("hours", policy.GetProperty("julafton").GetProperty("kind").GetString());
        Assert.Equal("09:00", policy.GetProperty("julafton").GetProperty("hours")[0].GetProperty("start").GetString());
        Assert.Equal("13:00", policy.GetProperty("nyarsafton").GetProperty("at").GetString());
        Assert.Equal("normal", policy.GetProperty("dayBeforeHoliday").GetProperty("kind").GetString());
        Assert.Equal("closed", policy.GetProperty("midsommarafton").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task EditorSavingAHolidayPolicyAColleagueChangedMeanwhileIsToldInSwedishWhoChangedItAndNothingIsOverwritten()
    {
        var page = await SignedInAsync(app, Roles.Editor, "2409");
        await page.GetByRole(AriaRole.Link, new() { Name = "Helgdagar" }).ClickAsync();
        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync("Standardregler");
        await page.Locator("#hp-midsommarafton-kind").SelectOptionAsync("normal");

        var (colleague, _) = await app.CreateAccountAsync(Roles.Editor, "2409");
        var client = app.ClientFor(colleague);
        var theirs = await SendAsync(client, HttpMethod.Put, "/api/opening-hours/municipalities/2409/holiday-policy", 0,
            new { julafton = new { kind = "closeEarly", at = "12:00" } });
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        await Assertions.Expect(page.Locator("#hp-changed")).ToContainTextAsync("ändrats av någon annan");

        await page.GetByRole(AriaRole.Button, new() { Name = "Spara helgdagsregler" }).ClickAsync();
        var error = page.Locator("#hp-error");
        await Assertions.Expect(error).ToContainTextAsync($"Någon annan hann före: {colleague.DisplayName} ändrade uppgifterna");
        await Assertions.Expect(error).ToContainTextAsync("Ingenting sparades");
        await BrowserApp.ScreenshotAsync(page, "editor-holiday-policy-conflict");

        var stored = await client.GetFromJsonAsync<JsonElement>("/api/opening-hours/municipalities/2409/holiday-policy");
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
        Assert.Equal("closed", stored.GetProperty("policy").GetProperty("midsommarafton").GetProperty("kind").GetString());

        await page.Locator("#hp-reload").ClickAsync();
        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync($"Version 1, senast ändrad");
        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync(colleague.DisplayName);
        await Assertions.Expect(page.Locator("#hp-julafton-kind")).ToHaveValueAsync("closeEarly");
    }

    [Fact]
    public async Task FieldErrorsAreShownInSwedishBesideTheirFields()
    {
        var page = await SignedInAsync(app, Roles.Editor, "2401");
        await page.GetByRole(AriaRole.Link, new() { Name = "Helgdagar" }).ClickAsync();
        await page.Locator("#hp-julafton-kind").SelectOptionAsync("hours");
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara helgdagsregler" }).ClickAsync();

        await Assertions.Expect(page.Locator("#hp-julafton-hours-error")).ToHaveTextAsync("Ange öppettider, eller välj Stängt.");
        await Assertions.Expect(page.Locator("#hp-julafton-hours")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#hp-error")).ToContainTextAsync("Kontrollera fälten: Julafton");
        await BrowserApp.ScreenshotAsync(page, "editor-field-error");

        await page.GetByRole(AriaRole.Link, new() { Name = "Katalog" }).ClickAsync();
        await page.GetByLabel("Telefon", new() { Exact = true }).FillAsync("inget nummer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Skapa enhet" }).ClickAsync();
        await Assertions.Expect(page.Locator("#u-name-error")).ToHaveTextAsync("Namn måste fyllas i.");
        await Assertions.Expect(page.Locator("#u-phone-error")).ToContainTextAsync("”inget nummer” är inget svenskt telefonnummer");
        await Assertions.Expect(page.Locator("#unit-form .error")).Not.ToContainTextAsync("is required");
    }

    [Fact]
    public async Task AdministratorSetsTheSwitchboardsHoursAndTheStatusAndWeekFollowWhileOperatorsReadThem()
    {
        var page = await SignedInAsync(app, Roles.Administrator);
        await page.GetByRole(AriaRole.Link, new() { Name = "Växelns öppettider" }).ClickAsync();
        await Assertions.Expect(page.Locator("#sb-now")).ToHaveTextAsync("Öppettiderna är inte inlagda");

        foreach (var day in new[] { "Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag" })
        {
            await page.GetByLabel(day, new() { Exact = true }).FillAsync("00:00-00:00");
        }

        foreach (var key in new[] { "publicHoliday", "paskafton", "midsommarafton", "nyarsafton", "dayBeforeHoliday" })
        {
            await page.Locator($"#sb-hol-{key}-kind").SelectOptionAsync("normal");
        }

        var today = DateOnly.FromDateTime(DateTime.Today);
        var training = today.AddDays(1);
        var christmasEve = new DateOnly(today.Month == 12 && today.Day >= 23 ? today.Year + 1 : today.Year, 12, 24);
        await AddExceptionAsync(page, training, closed: true, hours: "", reason: "Utbildningsdag", evenOnHolidays: false);
        await AddExceptionAsync(page, christmasEve, closed: false, hours: "09:00-12:00", reason: "Öppet julafton", evenOnHolidays: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara växelns öppettider" }).ClickAsync();

        await Assertions.Expect(page.Locator("#sb-version")).ToContainTextAsync("Version 1");
        var status = await (await app.ClientForAsync(Roles.Operator)).GetFromJsonAsync<JsonElement>("/api/opening-hours/switchboard/status");
        Assert.NotEqual("unknown", status.GetProperty("status").GetString());
        await Assertions.Expect(page.Locator("#sb-now")).ToContainTextAsync(status.GetProperty("status").GetString() == "open" ? "Öppet nu" : "Stängt nu");

        await page.Locator("#sb-week-date").FillAsync(training.ToString("yyyy-MM-dd"));
        var trainingRow = page.Locator($"#sb-week tr[data-date='{training:yyyy-MM-dd}']");
        await Assertions.Expect(trainingRow).ToContainTextAsync("Stängt");
        await Assertions.Expect(trainingRow).ToContainTextAsync("Utbildningsdag");
        await page.Locator("#sb-week-date").FillAsync(christmasEve.ToString("yyyy-MM-dd"));
        var christmasRow = page.Locator($"#sb-week tr[data-date='{christmasEve:yyyy-MM-dd}']");
        await Assertions.Expect(christmasRow).ToContainTextAsync("09:00–12:00");
        await Assertions.Expect(christmasRow).ToContainTextAsync("Öppet julafton");
        await Assertions.Expect(page.Locator("#sb-history li").First).ToContainTextAsync("Skapad");
        await BrowserApp.ScreenshotAsync(page, "admin-switchboard-hours");

        var operatorPage = await SignedInAsync(app, Roles.Operator, "2403");
        await operatorPage.GetByRole(AriaRole.Link, new() { Name = "Växelns öppettider" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("#sb-now")).ToContainTextAsync(status.GetProperty("status").GetString() == "open" ? "Öppet nu" : "Stängt nu");
        await Assertions.Expect(operatorPage.Locator("#sb-rules")).ToContainTextAsync("00:00-00:00");
        await Assertions.Expect(operatorPage.Locator("#sb-form")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(operatorPage, "operator-switchboard-hours");
    }

    [Fact]
    public async Task AnAdministratorChoosesWhichMunicipalitysHolidayPolicyToEdit()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2404");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(editor, HttpMethod.Put, "/api/opening-hours/municipalities/2404/holiday-policy", 0,
            new { paskafton = new { kind = "normal" } })).StatusCode);
        var page = await SignedInAsync(app, Roles.Administrator);
        await page.GetByRole(AriaRole.Link, new() { Name = "Helgdagar" }).ClickAsync();
        await page.GetByLabel("Kommun", new() { Exact = true }).SelectOptionAsync("2404");

        await Assertions.Expect(page.Locator("#view h2")).ToHaveTextAsync("Helgdagar – Vindeln");
        await Assertions.Expect(page.Locator("#hp-paskafton-kind")).ToHaveValueAsync("normal");
        await page.Locator("#hp-paskafton-kind").SelectOptionAsync("closed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara helgdagsregler" }).ClickAsync();
        await Assertions.Expect(page.Locator("#hp-status")).ToContainTextAsync("Version 2");
        var stored = await editor.GetFromJsonAsync<JsonElement>("/api/opening-hours/municipalities/2404/holiday-policy");
        Assert.Equal("closed", stored.GetProperty("policy").GetProperty("paskafton").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AnEditorCannotReachTheSwitchboardHoursEditor()
    {
        var page = await SignedInAsync(app, Roles.Editor, "2480");
        await Assertions.Expect(page.Locator("#nav")).ToContainTextAsync("Helgdagar");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Växelns öppettider" })).ToHaveCountAsync(0);

        await page.GotoAsync("/#vaxeln");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten");
        await Assertions.Expect(page.Locator("#unit-filter")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sb-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#sb-status")).ToHaveCountAsync(0);
    }

    private static async Task AddExceptionAsync(IPage page, DateOnly date, bool closed, string hours, string reason, bool evenOnHolidays)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Lägg till avvikelse" }).ClickAsync();
        var row = page.Locator("#sb-exceptions tr").Last;
        await row.GetByLabel("Från datum").FillAsync(date.ToString("yyyy-MM-dd"));
        await row.GetByLabel("Till datum").FillAsync(date.ToString("yyyy-MM-dd"));
        await row.GetByLabel("Stängt hela dagen").SetCheckedAsync(closed);
        await row.GetByLabel("Tider").FillAsync(hours);
        await row.GetByLabel("Orsak").FillAsync(reason);
        await row.GetByLabel("Gäller även på helgdag eller afton").SetCheckedAsync(evenOnHolidays);
    }
}
