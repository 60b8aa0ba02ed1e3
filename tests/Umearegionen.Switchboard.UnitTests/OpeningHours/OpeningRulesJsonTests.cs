using System.Text.Json;
using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>
/// The rules are stored and sent as JSON in one shape whatever the serializer options: enums as
/// camelCase strings, times as "HH:mm", weekdays by name.
/// </summary>
public class OpeningRulesJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly OpeningRules Rules = Office(
        new DateException(D("2025-06-30"), D("2025-08-10"), false, [R("08:00", "15:00")], "Sommartider", [DayOfWeek.Monday, DayOfWeek.Friday]),
        DateException.ClosedOn(D("2025-07-15"), D("2025-07-15"), "Stängt för utbildningsdag")) with
    {
        Holidays = HolidayPolicy.Default with { Julafton = DayTreatment.Open(R("09:00", "12:00")) },
        WhenClosed = new ClosedAction(ClosedActionKind.OnCallNumber, Phone: "090-16 10 00", Text: "Socialjouren"),
    };

    [Fact]
    public void RulesSurviveARoundTrip()
    {
        var json = JsonSerializer.Serialize(Rules, Web);
        var back = JsonSerializer.Deserialize<OpeningRules>(json, Web)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, Web));
        Assert.Empty(back.Validate());
        foreach (var date in new[] { "2025-07-14", "2025-07-15", "2025-12-24", "2025-05-28" })
        {
            Assert.Equal(Evaluator.HoursOn(Rules, D(date)).Intervals, Evaluator.HoursOn(back, D(date)).Intervals);
        }
    }

    [Fact]
    public void OnlyTheRulesThemselvesAreWritten()
    {
        var json = JsonSerializer.Serialize(Rules, Web);

        Assert.DoesNotContain("endsNextDay", json);
        Assert.DoesNotContain("length", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"kind\":\"closeEarly\",\"hours\":null,\"at\":\"15:00\"", json);
        Assert.Contains("\"weekdays\":[\"monday\",\"friday\"]", json);
        Assert.Contains("{\"start\":\"08:00\",\"end\":\"15:00\"}", json);
        Assert.Contains("\"kind\":\"on-call\"", json);
    }

    [Theory]
    [InlineData("\"on-call\"", ClosedActionKind.OnCallNumber)]
    [InlineData("\"onCallNumber\"", ClosedActionKind.OnCallNumber)]
    [InlineData("\"e-service\"", ClosedActionKind.EService)]
    [InlineData("\"eService\"", ClosedActionKind.EService)]
    [InlineData("\"callback\"", ClosedActionKind.Callback)]
    public void AClosedActionIsWrittenInTheDirectorysWordsAndReadInThoseAndTheOlderNames(string json, ClosedActionKind kind)
    {
        Assert.Equal(kind, JsonSerializer.Deserialize<ClosedActionKind>(json, Web));
        Assert.DoesNotMatch("[A-Z]", JsonSerializer.Serialize(kind, Web));
    }

    [Fact]
    public void AnUnknownKindOfClosedActionIsRefused() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ClosedActionKind>("\"jour\"", Web));

    [Fact]
    public void AHandWrittenDocumentIsRead()
    {
        const string Json = """
            {
              "weekly": { "monday": [{ "start": "16:30", "end": "08:00" }], "saturday": [{ "start": "00:00", "end": "00:00" }] },
              "exceptions": [{ "from": "2025-07-01", "to": "2025-07-31", "closed": true, "hours": [], "reason": "Semester" }],
              "holidays": { "publicHoliday": { "kind": "normal" } },
              "whenClosed": { "kind": "e-service", "url": "https://www.umea.se/e-tjanster" }
            }
            """;

        var rules = JsonSerializer.Deserialize<OpeningRules>(Json, Web)!;

        Assert.Empty(rules.Validate());
        Assert.Empty(rules.Weekly.Tuesday);
        Assert.Equal(DayTreatment.Normal.Kind, rules.Holidays.PublicHoliday.Kind);
        Assert.Equal(HolidayPolicy.Default.DayBeforeHoliday, rules.Holidays.DayBeforeHoliday);
        Assert.True(Evaluator.Evaluate(rules, T("2025-03-11T07:00+01:00")).IsOpen);
        Assert.False(Evaluator.Evaluate(rules, T("2025-07-08T07:00+02:00")).IsOpen);
    }

    [Theory]
    [InlineData("""{ "start": "25:00", "end": "08:00" }""", "$.start")]
    [InlineData("""{ "start": "8", "end": "08:00" }""", "$.start")]
    public void ABadTimeIsRefusedNamingWhere(string json, string path)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TimeRange>(json, Web));

        Assert.Equal(path, error.Path);
        Assert.Contains("HH:mm", error.Message);
    }

    [Fact]
    public void AnUnknownWeekdayOrTreatmentIsRefused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DateException>(
            """{ "from": "2025-06-01", "to": "2025-06-02", "closed": true, "hours": [], "reason": "x", "weekdays": ["moonday"] }""", Web));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DayTreatment>("""{ "kind": 7 }""", Web));
    }
}
