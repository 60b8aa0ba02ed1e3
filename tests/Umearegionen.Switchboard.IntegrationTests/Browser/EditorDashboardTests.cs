using System.Net.Http.Json;
using Microsoft.Playwright;
using Umearegionen.Switchboard.Access;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;
using static Umearegionen.Switchboard.IntegrationTests.Browser.DashboardPages;
using static Umearegionen.Switchboard.IntegrationTests.Directory.DirectoryApi;

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
        var stored = await editorClient.GetFromJsonAsync<Unit>($"/api/directory/units/{unit.Id}", Json);
        Assert.Equal(unitName + " (kollega)", stored!.Name);
        Assert.Equal("Skolgatan 31A, Umeå", stored.VisitingAddress);
    }
}
