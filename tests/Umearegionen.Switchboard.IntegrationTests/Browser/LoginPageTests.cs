namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class LoginPageTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task PersonLogsInWithTheKeyboardAndSeesTheirNameRoleAndALiveConnection()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Administrator);
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("Användarnamn").FillAsync(account.Username);
        await page.GetByLabel("Lösenord").FillAsync(password);
        await BrowserApp.ScreenshotAsync(page, "login");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten");
        await Assertions.Expect(page.Locator("#user-name")).ToHaveTextAsync(account.DisplayName);
        await Assertions.Expect(page.Locator("#user-role")).ToHaveTextAsync("Administratör");
    }

    [Fact]
    public async Task WrongPasswordShowsASwedishMessageAndStaysOnTheLoginForm()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("Användarnamn").FillAsync(account.Username);
        await page.GetByLabel("Lösenord").FillAsync("fel lösenord");
        await page.GetByRole(AriaRole.Button, new() { Name = "Logga in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Fel användarnamn eller lösenord.");
        Assert.True(await page.Locator("#app-view").IsHiddenAsync());
    }

    [Fact]
    public async Task AdministratorCreatesAnAccountAndSeesTheServicesFieldErrors()
    {
        var (admin, password) = await app.CreateAccountAsync(Roles.Administrator);
        var page = await app.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Användarnamn").FillAsync(admin.Username);
        await page.GetByLabel("Lösenord").FillAsync(password);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Konton" })).ToBeVisibleAsync();

        var username = "ny-" + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#na-username").FillAsync(username);
        await page.Locator("#na-name").FillAsync("Ny Redaktör");
        await page.Locator("#na-role").SelectOptionAsync("editor");
        await page.Locator("#na-password").FillAsync("ett-långt-lösenord");
        await page.GetByRole(AriaRole.Button, new() { Name = "Skapa konto" }).ClickAsync();
        await Assertions.Expect(page.Locator("#na-error")).ToContainTextAsync("en redaktör måste höra till en kommun");
        await Assertions.Expect(page.Locator("#na-municipality-error")).ToHaveTextAsync("En redaktör måste höra till en kommun: ange kommunkoden, t.ex. 2480 för Umeå.");

        await page.Locator("#na-municipality").FillAsync("2404");
        await page.GetByRole(AriaRole.Button, new() { Name = "Skapa konto" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = username, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#na-municipality-error")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "administrator-accounts");
    }
}
