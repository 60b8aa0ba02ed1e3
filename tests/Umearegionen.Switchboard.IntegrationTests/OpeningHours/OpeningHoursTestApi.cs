namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>Calling the opening-hours API the way a client does, with documents written as JSON would be.</summary>
public static class OpeningHoursTestApi
{
    public static readonly object[] OfficeDay = [new { start = "08:00", end = "12:00" }, new { start = "13:00", end = "16:30" }];

    public static object Weekdays(object[] day, object[]? saturday = null, object[]? sunday = null) => new
    {
        monday = day, tuesday = day, wednesday = day, thursday = day, friday = day,
        saturday = saturday ?? [], sunday = sunday ?? [],
    };

    public static object EveryDay(object[] day) => Weekdays(day, day, day);

    public static object Office(object[]? exceptions = null, object? holidayOverride = null) =>
        new { weekly = Weekdays(OfficeDay), exceptions = exceptions ?? [], holidayOverride };

    /// <summary>A new unit in the directory, created by an editor of its municipality; closed action "on-call" to the given number.</summary>
    public static async Task<Guid> NewUnitAsync(SwitchboardApp app, string municipality, string name = "Enhet")
    {
        var editor = await app.ClientForAsync(Roles.Editor, municipality);
        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody(municipality, Unique(name),
            whenClosed: new { kind = "on-call", phone = "090-16 10 00", text = "Socialjouren" }));
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await ReadAsync<JsonElement>(response)).GetProperty("id").GetGuid();
    }

    public static Task<HttpResponseMessage> PutHoursAsync(HttpClient client, Guid unitId, int version, object body) =>
        SendAsync(client, HttpMethod.Put, $"/api/opening-hours/units/{unitId}", version, body);

    /// <summary>A unit with the given hours stored (version 1).</summary>
    public static async Task<Guid> UnitWithHoursAsync(SwitchboardApp app, string municipality, object hours)
    {
        var unitId = await NewUnitAsync(app, municipality);
        var editor = await app.ClientForAsync(Roles.Editor, municipality);
        await EnsureAsync(await PutHoursAsync(editor, unitId, 0, hours), HttpStatusCode.OK);
        return unitId;
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await EnsureAsync(response, HttpStatusCode.OK);
        return await ReadAsync<JsonElement>(response);
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, Guid unitId, string at) =>
        await GetJsonAsync(client, $"/api/opening-hours/units/{unitId}/status?at={Uri.EscapeDataString(at)}");

    public static DateTimeOffset? Instant(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDateTimeOffset();

    public static DateTimeOffset T(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
