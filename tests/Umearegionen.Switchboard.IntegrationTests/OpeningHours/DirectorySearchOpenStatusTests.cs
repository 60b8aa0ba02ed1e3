namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>The directory's search says whether units are open now, by the service's clock.</summary>
/// <remarks>Signs in before it moves the clock (see <see cref="FakeClockApp"/>).</remarks>
public sealed class DirectorySearchOpenStatusTests(FakeClockApp app) : IClassFixture<FakeClockApp>
{
    [Fact]
    public async Task DirectorySearchSaysWhichUnitsAreOpenAndWhichAreUnknownAndFollowsAChange()
    {
        // Move the service's clock first: tokens are checked against it.
        var wednesday = FakeClock.WednesdayAhead(app.Clock!);
        app.Clock!.SetUtcNow(FakeClock.At(wednesday, 10, 0).ToUniversalTime());
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var reader = await app.ClientForAsync(Roles.Operator);
        var word = "Öppettest" + Guid.NewGuid().ToString("N")[..6];
        var withHours = await CreateUnitAsync(editor, "2480", word + " kontor");
        var withoutHours = await CreateUnitAsync(editor, "2480", word + " förråd");
        await EnsureAsync(await PutHoursAsync(editor, withHours.Id, 0, Office()), HttpStatusCode.OK);

        var url = $"/api/directory/search?q={Uri.EscapeDataString(word)}";
        var hits = await UnitHitsAsync(reader, url);
        await EnsureAsync(await PutHoursAsync(editor, withHours.Id, 1, new { weekly = Weekdays([new { start = "13:00", end = "16:30" }]), exceptions = Array.Empty<object>() }), HttpStatusCode.OK);
        var afterChange = await UnitHitsAsync(reader, url);

        Assert.Equal("open", hits[withHours.Id].GetProperty("openStatus").GetString());
        Assert.Equal(FakeClock.At(wednesday, 12, 0), hits[withHours.Id].GetProperty("openStatusUntil").GetDateTimeOffset());
        Assert.Equal("unknown", hits[withoutHours.Id].GetProperty("openStatus").GetString());
        Assert.Equal("closed", afterChange[withHours.Id].GetProperty("openStatus").GetString());
        Assert.Equal(FakeClock.At(wednesday, 13, 0), afterChange[withHours.Id].GetProperty("openStatusUntil").GetDateTimeOffset());
    }

    private static async Task<Dictionary<Guid, JsonElement>> UnitHitsAsync(HttpClient reader, string url) =>
        (await reader.GetFromJsonAsync<JsonElement>(url))
            .EnumerateArray().Where(h => h.GetProperty("kind").GetString() == "unit").ToDictionary(h => h.GetProperty("unitId").GetGuid());
}
