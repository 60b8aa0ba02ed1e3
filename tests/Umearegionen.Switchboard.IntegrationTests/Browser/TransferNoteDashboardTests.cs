namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>The operator writes a note for the receiving desk in the transfer form; the platform gets it, administrators read it.</summary>
public sealed class TransferNoteDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task OperatorTransfersWithANoteThatReachesThePlatformAndTheAdministratorsCallHistory()
    {
        const string Note = "Anna Ek om bygglovet, har ringt två gånger";
        var unitName = Unique("Byggnadsnämnden");
        await OpenUnitAsync(app, "2403", unitName, "bygglov");
        var (page, platformCallId) = await OperatorOnACallAsync(app, BjurholmMainNumber, "bygglov", "Bjurholm");

        await PickFirstHitAsync(page, unitName);
        await Assertions.Expect(page.Locator("#f-destination")).ToContainTextAsync(unitName);
        var note = page.GetByLabel("Till mottagaren");
        await Assertions.Expect(note).ToHaveAttributeAsync("maxlength", "500");
        // A pasted text-direction override is refused by the service and shown beside the field, in Swedish.
        await note.FillAsync("Ring\u202Ehenne");
        await note.PressAsync("Enter");
        await Assertions.Expect(note).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#finish .field-error")).ToContainTextAsync("får bara vara en rad");
        Assert.DoesNotContain(await InstructionsForAsync(app, platformCallId), i => i.GetProperty("kind").GetString() == "transfer");
        await DashboardPages.AssertAccessibleAsync(page);

        await note.FillAsync(Note);
        await note.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#op-message")).ToContainTextAsync($"Samtalet kopplades till {unitName}.");
        var transfer = (await InstructionsForAsync(app, platformCallId)).Last();
        Assert.Equal("transfer", transfer.GetProperty("kind").GetString());
        Assert.Equal(Note, transfer.GetProperty("note").GetString());
        await GoOfflineAsync(page);

        var admin = await SignedInAsync(app, Roles.Administrator);
        await admin.GotoAsync("/#samtalshistorik");
        await admin.GetByLabel("Samtals-id (telefonins)").FillAsync(platformCallId);
        await admin.GetByLabel("Samtals-id (telefonins)").PressAsync("Enter");
        await Assertions.Expect(admin.Locator("#ch-status")).ToHaveTextAsync("1 samtal.");
        await admin.GetByRole(AriaRole.Button, new() { NameRegex = new("^Visa samtalet som kom in") }).ClickAsync();
        await Assertions.Expect(admin.Locator("#ch-timeline")).ToContainTextAsync($"Anteckning: {Note}");
    }
}
