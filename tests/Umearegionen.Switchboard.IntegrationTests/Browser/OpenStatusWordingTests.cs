using System.Text.RegularExpressions;

namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>How the operator's search says until when a unit is open, for lines that do not close at a clock time of today.</summary>
public sealed class OpenStatusWordingTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task UnitsOpenAroundTheClockReadDygnetRuntAndOneOpenAllDayTodayReadsTillMidnattNeverTill0000()
    {
        // Open every hour of every day, holidays included: the service finds no closing within its horizon.
        var aroundTheClock = Unique("Jourlinjen");
        var normal = new { kind = "normal" };
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var lineId = (await CreateUnitAsync(editor, "2409", aroundTheClock, ["jour"])).Id;
        var stored = await PutHoursAsync(editor, lineId, 0, new
        {
            weekly = EveryDay([new { start = "00:00", end = "00:00" }]),
            exceptions = Array.Empty<object>(),
            holidayOverride = new { publicHoliday = normal, paskafton = normal, midsommarafton = normal, julafton = normal, nyarsafton = normal, dayBeforeHoliday = normal },
        });
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        // Open every hour of every day with the usual holiday policy: around the clock until the next holiday closes it.
        var untilHoliday = Unique("Larmcentralen");
        await OpenUnitAsync(app, "2409", untilHoliday, "larm");

        // Open all of today only (an exception that holidays do not cut), closed every other day: closes at 24:00 tonight.
        var allDay = Unique("Mottagningen");
        var unit = await CreateUnitAsync(editor, "2409", allDay, ["mottagning"]);
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"))
            .ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var hours = new
        {
            weekly = EveryDay([]),
            exceptions = new[]
            {
                new { from = today, to = today, closed = false, hours = new[] { new { start = "00:00", end = "00:00" } }, reason = "Öppet hus", overridesHolidays = true },
            },
        };
        Assert.Equal(HttpStatusCode.OK, (await PutHoursAsync(editor, unit.Id, 0, hours)).StatusCode);

        var page = await SignedInAsync(app, Roles.Operator, "2409");
        await page.GetByLabel("Sök", new() { Exact = true }).FillAsync(aroundTheClock);
        var hit = page.Locator("#hits button").First;
        await Assertions.Expect(hit).ToContainTextAsync(aroundTheClock);
        await Assertions.Expect(hit.Locator(".badge")).ToHaveTextAsync("Öppet dygnet runt");

        await page.GetByLabel("Sök", new() { Exact = true }).FillAsync(untilHoliday);
        await Assertions.Expect(hit).ToContainTextAsync(untilHoliday);
        await Assertions.Expect(hit.Locator(".badge")).ToHaveTextAsync(new Regex("^(Öppet dygnet runt – till och med (\\S+dag|\\d{4}-\\d{2}-\\d{2})|Öppet – till (midnatt|och med i morgon))$"));
        await Assertions.Expect(hit).Not.ToContainTextAsync("00:00");

        await page.GetByLabel("Sök", new() { Exact = true }).FillAsync(allDay);
        await Assertions.Expect(hit).ToContainTextAsync(allDay);
        await Assertions.Expect(hit.Locator(".badge")).ToHaveTextAsync(new Regex("^(Öppet|Stänger snart) – till midnatt$"));
        await Assertions.Expect(hit).Not.ToContainTextAsync("00:00");
        await BrowserApp.ScreenshotAsync(page, "operator-open-status-wording");
    }
}
