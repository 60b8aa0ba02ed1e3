namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The administrator's accounts and access-log views, and what a person sees when their session is ended.</summary>
public sealed class AccessAdministrationTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task AdministratorChangesARoleSetsAPasswordAndDisablesAnAccountWithTheKeyboard()
    {
        var (target, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var page = await DashboardPages.SignedInAsync(app, Roles.Administrator);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Konton" })).ToBeVisibleAsync();
        await DashboardPages.AssertAccessibleAsync(page);

        // Role: a dialog, the role and municipality chosen by keyboard, saved with Enter.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Ändra roll för {target.Username}" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = $"Ändra roll för {target.Username}" });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByLabel("Roll", new() { Exact = true })).ToBeFocusedAsync();
        await DashboardPages.AssertAccessibleAsync(page);
        await dialog.GetByLabel("Roll", new() { Exact = true }).SelectOptionAsync("editor");
        await dialog.GetByLabel("Kommun", new() { Exact = false }).SelectOptionAsync("");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Spara roll" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        // The service's refusal, in Swedish, beside the field.
        await Assertions.Expect(dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("redaktör måste höra till en kommun");
        await dialog.GetByLabel("Kommun", new() { Exact = false }).SelectOptionAsync("2480");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Spara roll" }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#accounts-status")).ToHaveTextAsync($"{target.Username} har fått sin nya roll.");
        var changed = await app.Service<Accounts>().FindAsync(target.Id, CancellationToken.None);
        Assert.Equal((Roles.Editor, "2480"), (changed!.Role, changed.MunicipalityCode));

        // Password.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Sätt lösenord för {target.Username}" }).ClickAsync();
        var passwordDialog = page.GetByRole(AriaRole.Dialog);
        await page.Keyboard.TypeAsync("kort");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(passwordDialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("minst 12 tecken");
        await passwordDialog.GetByLabel("Nytt lösenord").FillAsync("ett-nytt-långt-lösenord");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(passwordDialog).ToHaveCountAsync(0);
        var login = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = target.Username, password = "ett-nytt-långt-lösenord" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        // Disable: asked first; Escape cancels, the second time it is confirmed.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Stäng av för {target.Username}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("loggas ut direkt");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        Assert.False((await app.Service<Accounts>().FindAsync(target.Id, CancellationToken.None))!.Disabled);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Stäng av för {target.Username}" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Stäng av" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Aktivera för {target.Username}" })).ToBeFocusedAsync();
        Assert.True((await app.Service<Accounts>().FindAsync(target.Id, CancellationToken.None))!.Disabled);
        await BrowserApp.ScreenshotAsync(page, "accounts-administration");
    }

    [Fact]
    public async Task OperatorWhoseAccountIsDisabledLandsOnTheLoginPageWithASwedishReason()
    {
        var page = await DashboardPages.SignedInAsync(app, Roles.Operator, "2403");
        var me = await page.EvaluateAsync<string>("JSON.parse(sessionStorage.getItem('switchboard.session')).user.id");
        var admin = await app.ClientForAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{me}/disable", null)).StatusCode);

        await Assertions.Expect(page.Locator("#login-view")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("en administratör har stängt av kontot");
        await Assertions.Expect(page.GetByLabel("Användarnamn")).ToBeFocusedAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('switchboard.session')"));
    }

    [Fact]
    public async Task AccessLogShowsActionsInSwedishNewestFirstWithFiltersAndPaging()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var admin = await app.ClientForAsync(Roles.Administrator);
        await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "manager" });
        var anonymous = app.CreateClient();
        for (var i = 0; i < 53; i++)
        {
            await anonymous.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = "fel-" + i });
        }

        var page = await DashboardPages.SignedInAsync(app, Roles.Administrator);
        await page.GetByRole(AriaRole.Link, new() { Name = "Åtkomstlogg" }).ClickAsync();
        var table = page.Locator("#access-log tbody");
        await Assertions.Expect(table.Locator("tr").First).ToBeVisibleAsync();

        // Each action by its Swedish name; an account named by its username.
        await page.GetByLabel("Åtgärd").SelectOptionAsync("role_changed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa", Exact = true }).ClickAsync();
        await Assertions.Expect(table.Locator("tr").Filter(new() { HasText = account.Username }).First).ToContainTextAsync("Roll ändrad");
        await Assertions.Expect(table.Locator("tr").First).ToContainTextAsync("operator (2403) → manager");
        await DashboardPages.AssertAccessibleAsync(page);

        await page.GetByLabel("Åtgärd").SelectOptionAsync("login_failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa", Exact = true }).ClickAsync();
        await Assertions.Expect(table.Locator("tr")).ToHaveCountAsync(50);
        await Assertions.Expect(table.Locator("tr").First).ToContainTextAsync("Misslyckad inloggning");
        await Assertions.Expect(table.Locator("tr").First).ToContainTextAsync(account.Username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa äldre" }).ClickAsync();
        await Assertions.Expect(table.Locator("tr")).ToHaveCountAsync(53);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Visa äldre" })).ToBeHiddenAsync();

        // A date range before any entry, and a searched number nobody looked up.
        await page.GetByLabel("Från datum").FillAsync("2001-01-01");
        await page.GetByLabel("Till och med datum").FillAsync("2001-01-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Inga händelser" })).ToBeVisibleAsync();
        await page.GetByLabel("Från datum").FillAsync("");
        await page.GetByLabel("Till och med datum").FillAsync("");
        await page.GetByLabel("Åtgärd").SelectOptionAsync("");
        await page.GetByLabel("Sökt telefonnummer").FillAsync("inte ett nummer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#al-filters [role=alert]")).ToContainTextAsync("Telefonnummer måste vara ett telefonnummer");
        await page.GetByLabel("Sökt telefonnummer").FillAsync("090-16 10 00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Inga händelser" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "access-log");
    }
}
