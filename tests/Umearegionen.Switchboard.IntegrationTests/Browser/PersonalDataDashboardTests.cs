namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The views "Samtalshistorik" (managers, administrators) and "Registerutdrag" (administrators), by keyboard.</summary>
public sealed class PersonalDataDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    /// <summary>A call from the number that hung up while waiting: received, then ended by the platform.</summary>
    private async Task<string> AbandonedCallAsync(string callerNumber, bool hangUp = true)
    {
        var platformCallId = "pbx-" + Guid.NewGuid().ToString("N")[..12];
        var telephony = await app.TelephonyClientAsync();
        var placed = await telephony.PostAsJsonAsync("/api/telephony/calls",
            new { platformCallId, callerNumber, dialledNumber = BjurholmMainNumber, menuTopic = "vatten", priority = 0 });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        if (!hangUp)
        {
            return platformCallId;
        }

        var ended = await telephony.PostAsJsonAsync($"/api/telephony/calls/{platformCallId}/events", new { eventId = "e1", type = "ended" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        return platformCallId;
    }


    [Fact]
    public async Task ManagerFindsACallByItsPlatformIdWithTheKeyboardAndReadsItsLifeWithoutTheNumber()
    {
        var platformCallId = await AbandonedCallAsync("070-123 45 67");
        var page = await SignedInAsync(app, Roles.Manager);
        await page.GotoAsync("/#samtalshistorik");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Samtalshistorik" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Telefonnummer")).ToHaveCountAsync(0);

        await page.GetByLabel("Samtals-id (telefonins)").FocusAsync();
        await page.Keyboard.TypeAsync(platformCallId);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#ch-status")).ToHaveTextAsync("1 samtal.");
        var show = page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Visa samtalet som kom in") });
        await show.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        var title = page.Locator("#ch-detail-title");
        await Assertions.Expect(title).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#ch-timeline li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#ch-timeline li").First).ToContainTextAsync("Samtalet kom in.");
        await Assertions.Expect(page.Locator("#ch-timeline li").Last).ToContainTextAsync("Samtalet avslutades i telefonin.");
        await Assertions.Expect(page.Locator("#ch-detail dd").Nth(4)).ToHaveTextAsync("dolt");
        Assert.DoesNotContain("45 67", await page.Locator("#view").InnerTextAsync());
        Assert.DoesNotContain("701234567", await page.Locator("#view").InnerTextAsync());
        await DashboardPages.AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "call-history-manager");
    }

    [Fact]
    public async Task AdministratorSearchesByNumberAndManagerCannot()
    {
        var number = "070-" + Random.Shared.Next(1000000, 9999999);
        await AbandonedCallAsync(number);
        var page = await SignedInAsync(app, Roles.Administrator);
        await page.GotoAsync("/#samtalshistorik");

        await page.GetByLabel("Telefonnummer").FillAsync(number);
        await page.GetByLabel("Telefonnummer").PressAsync("Enter");

        await Assertions.Expect(page.Locator("#ch-status")).ToHaveTextAsync("1 samtal.");
        // Shown as operators read numbers aloud (070-123 45 67), stored and searched as given.
        await Assertions.Expect(page.Locator("#ch-rows td").Nth(6)).ToHaveTextAsync($"070-{number[4..7]} {number[7..9]} {number[9..]}");
        await page.GetByLabel("Telefonnummer").FillAsync("inte ett nummer");
        await page.GetByLabel("Telefonnummer").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#ch-error")).ToContainTextAsync("Telefonnummer måste vara ett telefonnummer");
        await Assertions.Expect(page.GetByLabel("Telefonnummer")).ToHaveAttributeAsync("aria-invalid", "true");
        await DashboardPages.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task AdministratorTakesAnExtractByKeyboardDownloadsItAndErasesAfterAReasonAndAConfirmation()
    {
        var number = "070-" + Random.Shared.Next(1000000, 9999999);
        var erasable = await AbandonedCallAsync(number);
        // Still waiting in the queue (no operator in this app): erasure keeps it, and says why.
        await AbandonedCallAsync(number, hangUp: false);
        var page = await SignedInAsync(app, Roles.Administrator);
        await page.GotoAsync("/#registerutdrag");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Registerutdrag" })).ToBeVisibleAsync();

        // The radio button "Telefonnummer" is chosen already; the field is labelled by the choice.
        await page.Locator("#re-subject").FocusAsync();
        await page.Keyboard.TypeAsync(number);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#re-result-title")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#re-status")).ToHaveTextAsync("2 poster hittades.");
        await Assertions.Expect(page.Locator("#re-calls tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#re-calls tbody td").Nth(1)).ToHaveTextAsync("+4670" + number[4..]);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Ladda ner CSV" }).PressAsync("Enter"));
        Assert.StartsWith("registerutdrag-", download.SuggestedFilename);
        var text = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(await download.PathAsync()));
        Assert.StartsWith("\uFEFFPost;Id;Samtal;Tidpunkt;Uppgift;Värde", text);
        Assert.Contains("Uppringande nummer;'+4670" + number[4..], text);

        // Erasure: a reason is required, and nothing happens before the confirmation.
        var start = page.GetByRole(AriaRole.Button, new() { Name = "Radera …" });
        await start.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#er-error")).ToHaveTextAsync("Ange skälet till raderingen.");
        await Assertions.Expect(page.GetByLabel("Skäl (krävs)")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByLabel("Skäl (krävs)")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.Keyboard.TypeAsync("Begäran från den registrerade, ärende 2026/123");
        await start.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Ja, radera" })).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#er-confirm-text")).ToContainTextAsync("Det går inte att ångra.");
        await DashboardPages.AssertAccessibleAsync(page);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#er-confirm")).ToBeHiddenAsync();
        await Assertions.Expect(start).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Ja, radera" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#er-done")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#er-done")).ToHaveTextAsync("Raderat: 1 samtal, 0 återuppringningar, 0 meddelanden, 0 felanmälningar och 0 skickade länkar.");
        await Assertions.Expect(page.Locator("#er-kept li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#er-kept li")).ToContainTextAsync("Samtal ");
        await Assertions.Expect(page.Locator("#er-kept li")).ToContainTextAsync(": samtalet pågår fortfarande.");
        // The extract is taken again: only the call still waiting is left under the number.
        await Assertions.Expect(page.Locator("#re-status")).ToHaveTextAsync("1 poster hittades.");
        await DashboardPages.AssertAccessibleAsync(page);
        await BrowserApp.ScreenshotAsync(page, "register-extract");

        // The call's history still tells the call, with its number removed.
        await page.GotoAsync("/#samtalshistorik");
        await page.GetByLabel("Samtals-id (telefonins)").FillAsync(erasable);
        await page.GetByLabel("Samtals-id (telefonins)").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#ch-status")).ToHaveTextAsync("1 samtal.");
        await Assertions.Expect(page.Locator("#ch-rows td").Nth(6)).ToHaveTextAsync("borttaget");
    }

    [Fact]
    public async Task ManagersAndOperatorsDoNotSeeTheRegisterExtract()
    {
        var manager = await SignedInAsync(app, Roles.Manager);
        await Assertions.Expect(manager.GetByRole(AriaRole.Link, new() { Name = "Samtalshistorik" })).ToBeVisibleAsync();
        await Assertions.Expect(manager.GetByRole(AriaRole.Link, new() { Name = "Registerutdrag" })).ToHaveCountAsync(0);
        var op = await SignedInAsync(app, Roles.Operator);
        await Assertions.Expect(op.GetByRole(AriaRole.Link, new() { Name = "Samtalshistorik" })).ToHaveCountAsync(0);
    }
}
