namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>
/// What operators wrote about a caller on the caller's calls (an answered call's note, a transfer's note for the
/// receiving desk) is in the caller's register extract (GDPR art. 15), in the JSON and the CSV; another caller's is not.
/// </summary>
public sealed class RegisterExtractNotesTests(PersonalDataApp app) : IClassFixture<PersonalDataApp>
{
    private static readonly Destination Desk = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");

    [Fact]
    public async Task TheCallersExtractHoldsTheTransferNoteAndTheAnsweredCallsNoteAndNotAnotherCallersNote()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var op = await driver.OperatorAsync();
        var caller = PersonalDataWorld.NewCaller();
        var transferNote = "Greta undrar över färdtjänsten " + Guid.NewGuid().ToString("N")[..6];
        var answerNote = "Frågade om sophämtningen " + Guid.NewGuid().ToString("N")[..6];
        var strangerNote = "Någon annans ärende " + Guid.NewGuid().ToString("N")[..6];
        var transferred = await world.ConnectedCallAsync(op, caller);
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(transferred.Id, "blind", Desk, "transfer-unit", Note: transferNote));
        await op.SetStatusAsync(OperatorStatuses.Available);
        var answered = await world.AnsweredAsync(op, caller, answerNote);
        await world.AnsweredAsync(op, PersonalDataWorld.NewCaller(), strangerNote);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var json = await admin.GetStringAsync("/api/personal-data/extract?number=" + Uri.EscapeDataString(caller));
        var csvResponse = await admin.GetAsync("/api/personal-data/extract?format=csv&number=" + Uri.EscapeDataString(caller));

        using var extract = JsonDocument.Parse(json);
        var notes = extract.RootElement.GetProperty("calls").EnumerateArray()
            .SelectMany(c => c.GetProperty("events").EnumerateArray().Select(e => (Call: c.GetProperty("id").GetGuid(), Event: e)))
            .Where(x => x.Event.GetProperty("type").GetString() == "completed")
            .Select(x => (x.Call, Note: x.Event.GetProperty("data").GetProperty("details").TryGetProperty("note", out var n) ? n.GetString() : null))
            .OrderBy(x => x.Note)
            .ToList();
        Assert.Equal(new[] { (answered, answerNote), (transferred.Id, transferNote) }.OrderBy(x => x.Item2), notes.Select(x => (x.Call, x.Note!)));
        Assert.DoesNotContain(strangerNote, json, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        var lines = Encoding.UTF8.GetString((await csvResponse.Content.ReadAsByteArrayAsync())[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("Händelse;") && l.Contains($";{transferred.Id};") && l.EndsWith(";Telefonistens anteckning;" + transferNote));
        Assert.Contains(lines, l => l.StartsWith("Händelse;") && l.Contains($";{answered};") && l.EndsWith(";Telefonistens anteckning;" + answerNote));
        Assert.DoesNotContain(lines, l => l.Contains(strangerNote, StringComparison.Ordinal));
    }
}
