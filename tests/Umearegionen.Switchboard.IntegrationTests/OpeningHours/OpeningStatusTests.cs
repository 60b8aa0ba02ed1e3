namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>The status, day, week and calendar answers through the API, at the edges (2026: CET +01:00, CEST +02:00).</summary>
public sealed class OpeningStatusTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private static readonly object OnCallLine = new { weekly = EveryDay([new { start = "16:30", end = "08:00" }]), exceptions = Array.Empty<object>() };

    private static readonly object NightLine = new { weekly = EveryDay([new { start = "22:00", end = "06:00" }]), exceptions = Array.Empty<object>() };

    [Fact]
    public async Task OpenExactlyAtOpeningAndClosedExactlyAtClosing()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());
        var reader = await app.ClientForAsync(Roles.Operator);

        var beforeOpening = await StatusAsync(reader, unitId, "2026-03-11T07:59:59+01:00");
        var atOpening = await StatusAsync(reader, unitId, "2026-03-11T08:00:00+01:00");
        var atLunch = await StatusAsync(reader, unitId, "2026-03-11T12:00:00+01:00");
        var atClosing = await StatusAsync(reader, unitId, "2026-03-11T16:30:00+01:00");

        Assert.Equal("closed", beforeOpening.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-11T08:00:00+01:00"), Instant(beforeOpening, "opensAt"));
        Assert.Equal("open", atOpening.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-11T12:00:00+01:00"), Instant(atOpening, "closesAt"));
        Assert.False(atOpening.GetProperty("closesSoon").GetBoolean());
        Assert.Equal("closed", atLunch.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-11T13:00:00+01:00"), Instant(atLunch, "opensAt"));
        Assert.Equal("closed", atClosing.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-12T08:00:00+01:00"), Instant(atClosing, "opensAt"));
        Assert.Equal("on-call", atClosing.GetProperty("whenClosed").GetProperty("kind").GetString());
        Assert.Equal("+4690161000", atClosing.GetProperty("whenClosed").GetProperty("phone").GetString()); // as the directory stores it
    }

    [Theory]
    [InlineData("2026-03-11T16:14:59+01:00", false)]
    [InlineData("2026-03-11T16:15:00+01:00", true)]
    [InlineData("2026-03-11T16:29:59+01:00", true)]
    public async Task ClosesSoonWithinTheConfiguredWarning(string at, bool closesSoon)
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());

        var status = await StatusAsync(await app.ClientForAsync(Roles.Operator), unitId, at);

        Assert.Equal("open", status.GetProperty("status").GetString());
        Assert.Equal(closesSoon, status.GetProperty("closesSoon").GetBoolean());
    }

    [Fact]
    public async Task AnIntervalPastMidnightKeepsTheLineOpenUntilMorning()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", OnCallLine);
        var reader = await app.ClientForAsync(Roles.Operator);

        var night = await StatusAsync(reader, unitId, "2026-03-12T03:00:00+01:00");
        var morning = await StatusAsync(reader, unitId, "2026-03-12T08:00:00+01:00");

        Assert.Equal("open", night.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-12T08:00:00+01:00"), Instant(night, "closesAt"));
        Assert.Equal("closed", morning.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-12T16:30:00+01:00"), Instant(morning, "opensAt"));
    }

    [Fact]
    public async Task TheNightTheClocksGoForwardIsAnHourShorter()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", NightLine);

        var status = await StatusAsync(await app.ClientForAsync(Roles.Operator), unitId, "2026-03-28T23:00:00+01:00");

        Assert.Equal("open", status.GetProperty("status").GetString());
        Assert.Equal(T("2026-03-29T04:00:00Z"), Instant(status, "closesAt")); // 06:00 CEST, five real hours after 22:00 CET
    }

    [Fact]
    public async Task TheNightTheClocksGoBackIsAnHourLongerAndBoth0230sAreOpen()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", NightLine);
        var reader = await app.ClientForAsync(Roles.Operator);

        var first = await StatusAsync(reader, unitId, "2026-10-25T02:30:00+02:00");
        var second = await StatusAsync(reader, unitId, "2026-10-25T02:30:00+01:00");

        Assert.Equal("open", first.GetProperty("status").GetString());
        Assert.Equal("open", second.GetProperty("status").GetString());
        Assert.Equal(T("2026-10-25T05:00:00Z"), Instant(first, "closesAt")); // 06:00 CET
    }

    [Fact]
    public async Task AUnitWithoutStoredHoursIsUnknownNeverOpen()
    {
        var unitId = await NewUnitAsync(app, "2480");

        var status = await StatusAsync(await app.ClientForAsync(Roles.Operator), unitId, "2026-03-11T10:00:00+01:00");

        Assert.Equal("unknown", status.GetProperty("status").GetString());
        Assert.False(status.GetProperty("closesSoon").GetBoolean());
    }

    [Fact]
    public async Task TheDayViewNamesMidsommaraftonAndSummerHoursDoNotOpenIt()
    {
        var summer = new { from = "2026-06-15", to = "2026-08-14", closed = false, hours = new[] { new { start = "08:00", end = "15:00" } }, reason = "Sommartider" };
        var unitId = await UnitWithHoursAsync(app, "2480", Office([summer]));
        var reader = await app.ClientForAsync(Roles.Operator);

        var eve = await GetJsonAsync(reader, $"/api/opening-hours/units/{unitId}/days/2026-06-19");
        var week = await GetJsonAsync(reader, $"/api/opening-hours/units/{unitId}/weeks/2026-06-17");

        Assert.Equal("Midsommarafton", eve.GetProperty("reason").GetString());
        Assert.Empty(eve.GetProperty("intervals").EnumerateArray());
        Assert.True(eve.GetProperty("deviates").GetBoolean());
        Assert.Equal("eve", eve.GetProperty("calendarDay").GetProperty("kind").GetString());
        var days = week.EnumerateArray().ToList();
        Assert.Equal(7, days.Count);
        Assert.Equal("2026-06-15", days[0].GetProperty("date").GetString());
        Assert.Equal("Sommartider", days[0].GetProperty("reason").GetString());
        Assert.Equal(T("2026-06-15T15:00:00+02:00"), days[0].GetProperty("intervals")[0].GetProperty("end").GetDateTimeOffset());
        Assert.Equal("Midsommarafton", days[4].GetProperty("reason").GetString());
        Assert.Equal("Midsommardagen", days[5].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TheCalendarListsTheHolidaysEvesAndDaysBeforeOfAYear()
    {
        var days = (await GetJsonAsync(await app.ClientForAsync(Roles.Operator), "/api/opening-hours/calendar/2026"))
            .GetProperty("days").EnumerateArray()
            .ToDictionary(d => d.GetProperty("date").GetString()!, d => (Kind: d.GetProperty("kind").GetString(), Name: d.GetProperty("name").GetString()));

        Assert.Equal(("publicHoliday", "Långfredagen"), days["2026-04-03"]);
        Assert.Equal(("eve", "Påskafton"), days["2026-04-04"]);
        Assert.Equal(("publicHoliday", "Påskdagen"), days["2026-04-05"]);
        Assert.Equal(("publicHoliday", "Kristi himmelsfärdsdag"), days["2026-05-14"]);
        Assert.Equal(("dayBeforeHoliday", "Dag före Kristi himmelsfärdsdag"), days["2026-05-13"]);
        Assert.Equal(("eve", "Midsommarafton"), days["2026-06-19"]);
        Assert.Equal(("publicHoliday", "Alla helgons dag"), days["2026-10-31"]);
        Assert.Equal(("eve", "Julafton"), days["2026-12-24"]);
    }

    [Theory]
    [InlineData("/api/opening-hours/calendar/1899", "year")]
    [InlineData("/api/opening-hours/units/{unit}/days/2026-02-30", "date")]
    [InlineData("/api/opening-hours/units/{unit}/weeks/tomorrow", "anyDateInWeek")]
    [InlineData("/api/opening-hours/units/{unit}/weeks/9999-12-31", "anyDateInWeek")]
    [InlineData("/api/opening-hours/units/{unit}/weeks/0001-01-03", "anyDateInWeek")]
    [InlineData("/api/opening-hours/switchboard/weeks/9999-12-31", "anyDateInWeek")]
    [InlineData("/api/opening-hours/units/{unit}/days/9999-12-31", "date")]
    [InlineData("/api/opening-hours/units/{unit}/status?at=9999-12-31T23:59:59Z", "at")]
    [InlineData("/api/opening-hours/units/{unit}/status?at=2026-03-11T10:00", "at")]
    public async Task BadDatesAndInstantsAreRefusedNamingTheParameter(string url, string field)
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());

        var response = await (await app.ClientForAsync(Roles.Operator)).GetAsync(url.Replace("{unit}", unitId.ToString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await ErrorFieldsAsync(response));
    }
}
