namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The service answers in English (its API contract); the operator reads Swedish.</summary>
public sealed class SwedishErrorTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ATransferToAClosedUnitIsRefusedInSwedishWithWhatToOfferTheCaller()
    {
        var unitName = Unique("Socialtjänsten");
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var created = await SendAsync(editor, HttpMethod.Post, "/api/directory/units", null, UnitBody("2403", unitName, topics: ["socialtjänst"],
            whenClosed: new { kind = "on-call", phone = "090-16 10 00", text = "Socialjouren" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var unitId = (await ReadAsync<System.Text.Json.JsonElement>(created)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await PutHoursAsync(editor, unitId, 0, new { weekly = EveryDay([]), exceptions = Array.Empty<object>() })).StatusCode);

        var (page, _) = await OperatorOnACallAsync(app, BjurholmMainNumber, null, "Bjurholm");
        await TransferToFirstHitAsync(page, unitName, firstHitShows: "Stängt");

        var message = page.Locator("#op-message");
        await Assertions.Expect(message).ToContainTextAsync($"{unitName} är stängt");
        await Assertions.Expect(message).ToContainTextAsync("Erbjud den som ringer jourtelefonen 090-16 10 00 (Socialjouren).");
        await Assertions.Expect(message).Not.ToContainTextAsync("closed");
        await Assertions.Expect(page.Locator("#call-municipality")).ToHaveTextAsync("Bjurholm");
        await BrowserApp.ScreenshotAsync(page, "operator-destination-closed");
    }

    [Fact]
    public async Task ABlindTransferToSomeoneAwayIsExplainedInSwedishAndGoesThroughWhenTheOperatorTransfersAnyway()
    {
        var unitId = await OpenUnitAsync(app, "2403", Unique("Kultur"), "kultur");
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var name = Unique("Per Bortaström");
        var back = DateTimeOffset.UtcNow.AddDays(7);
        await CreatePersonAsync(editor, unitId, name, null, new { until = back, reason = "Semester", referTo = "Karin Berg" });

        var (page, call) = await OperatorOnACallAsync(app, BjurholmMainNumber, null, "Bjurholm");
        await TransferToFirstHitAsync(page, name);

        var anyway = page.Locator("#f-transfer-anyway");
        await Assertions.Expect(anyway).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#finish")).Not.ToContainTextAsync("away");
        await Assertions.Expect(page.Locator("#finish ~ p.error")).ToContainTextAsync($"{name} är borta till");
        await Assertions.Expect(page.Locator("#finish ~ p.error")).ToContainTextAsync("Hänvisa till Karin Berg");
        await BrowserApp.ScreenshotAsync(page, "operator-person-away");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#op-message")).ToContainTextAsync($"Samtalet kopplades till {name}.");
        var transfer = (await InstructionsForAsync(app, call)).Last();
        Assert.Equal("transfer", transfer.GetProperty("kind").GetString());

        // Leave the switchboard's other tests in this class a free line: this operator goes offline.
        await page.Locator("#op-message").ClickAsync();
        await page.Keyboard.PressAsync("4");
        await Assertions.Expect(page.Locator("#my-status")).ToContainTextAsync("Offline");
    }
}
