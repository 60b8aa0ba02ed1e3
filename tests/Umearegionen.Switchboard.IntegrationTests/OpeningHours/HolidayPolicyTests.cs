namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>A municipality's holiday policy, inherited by its units unless a unit overrides it. Robertsfors (2409) is only changed here.</summary>
public sealed class HolidayPolicyTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private const string Url = "/api/opening-hours/municipalities/2409/holiday-policy";

    [Fact]
    public async Task TheMunicipalitysPolicyDecidesAndAUnitOverrideWinsForThatUnit()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var policy = await GetJsonAsync(editor, Url);
        Assert.True(policy.GetProperty("isDefault").GetBoolean());
        Assert.Equal("closed", policy.GetProperty("policy").GetProperty("julafton").GetProperty("kind").GetString());
        var inheriting = await UnitWithHoursAsync(app, "2409", Office());
        var overriding = await UnitWithHoursAsync(app, "2409", Office(holidayOverride: new { julafton = new { kind = "closed" } }));

        var response = await SendAsync(editor, HttpMethod.Put, Url, 0,
            new { julafton = new { kind = "hours", hours = new[] { new { start = "09:00", end = "12:00" } } } });

        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var reader = await app.ClientForAsync(Roles.Operator);
        var open = await StatusAsync(reader, inheriting, "2026-12-24T10:00:00+01:00");
        var closed = await StatusAsync(reader, overriding, "2026-12-24T10:00:00+01:00");
        Assert.Equal("open", open.GetProperty("status").GetString());
        Assert.Equal("Julafton", open.GetProperty("reason").GetString());
        Assert.Equal(T("2026-12-24T12:00:00+01:00"), Instant(open, "closesAt"));
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("Julafton", closed.GetProperty("reason").GetString());
        Assert.Equal(T("2026-12-28T08:00:00+01:00"), Instant(closed, "opensAt"));
        var stored = await GetJsonAsync(reader, $"/api/opening-hours/units/{inheriting}");
        Assert.Equal("hours", stored.GetProperty("holidays").GetProperty("julafton").GetProperty("kind").GetString());
        var history = await GetJsonAsync(reader, Url + "/history");
        Assert.Equal("created", history[0].GetProperty("action").GetString());
    }

    [Fact]
    public async Task AnotherMunicipalitysEditorCannotChangeThePolicyAndNothingChanges()
    {
        var other = await app.ClientForAsync(Roles.Editor, "2480");
        var before = await GetJsonAsync(other, Url);

        var response = await SendAsync(other, HttpMethod.Put, Url, before.GetProperty("version").GetInt32(), new { publicHoliday = new { kind = "normal" } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before.ToString(), (await GetJsonAsync(other, Url)).ToString());
    }

    [Fact]
    public async Task AnInvalidOrStalePolicyIsRefusedAndNothingChanges()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var before = await GetJsonAsync(editor, Url);
        var version = before.GetProperty("version").GetInt32();

        var invalid = await SendAsync(editor, HttpMethod.Put, Url, version, new { dayBeforeHoliday = new { kind = "closeEarly" } });
        var stale = await SendAsync(editor, HttpMethod.Put, Url, version + 5, new { dayBeforeHoliday = new { kind = "normal" } });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(["dayBeforeHoliday.at"], await ErrorFieldsAsync(invalid));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(before.ToString(), (await GetJsonAsync(editor, Url)).ToString());
    }
}
