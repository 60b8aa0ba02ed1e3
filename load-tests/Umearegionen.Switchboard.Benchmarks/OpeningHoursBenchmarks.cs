using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Umearegionen.Switchboard.OpeningHours.Domain;

namespace Umearegionen.Switchboard.Benchmarks;

/// <summary>
/// The in-memory half of "is this unit open": the directory search evaluates every unit in its
/// results per request. Rules as in the demo data; instants on an ordinary Wednesday.
/// </summary>
[MemoryDiagnoser]
public class OpeningHoursBenchmarks
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly OpeningHoursEvaluator Evaluator = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
    private static readonly DateTimeOffset WednesdayMorning = DateTimeOffset.Parse("2026-03-11T10:00:00+01:00");
    private static readonly DateTimeOffset WednesdayEvening = DateTimeOffset.Parse("2026-03-11T19:00:00+01:00");

    private static readonly OpeningRules Office = new(
        WeeklySchedule.MondayToFriday(R(8, 0, 12, 0), R(13, 0, 16, 30)),
        [new DateException(new(2026, 6, 15), new(2026, 8, 14), false, [R(8, 0, 15, 0)], "Sommartider",
            [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday])],
        HolidayPolicy.Default, ClosedAction.None);

    /// <summary>Open around the clock: finding "closes at" walks the whole 400-day horizon.</summary>
    private static readonly OpeningRules RoundTheClock = new(
        WeeklySchedule.EveryDay(R(7, 0, 16, 0), R(16, 0, 7, 0)), [],
        HolidayPolicy.Default with
        {
            PublicHoliday = DayTreatment.Normal, Paskafton = DayTreatment.Normal, Midsommarafton = DayTreatment.Normal,
            Julafton = DayTreatment.Normal, Nyarsafton = DayTreatment.Normal, DayBeforeHoliday = DayTreatment.Normal,
        },
        ClosedAction.None);

    private static readonly string OfficeJson = JsonSerializer.Serialize(Office, Json);

    [Benchmark(Description = "Evaluate: office, open (closes at lunch)")]
    public OpenStatus OfficeOpen() => Evaluator.Evaluate(Office, WednesdayMorning);

    [Benchmark(Description = "Evaluate: office, closed (opens next morning)")]
    public OpenStatus OfficeClosed() => Evaluator.Evaluate(Office, WednesdayEvening);

    [Benchmark(Description = "Evaluate: round-the-clock line (400-day walk)")]
    public OpenStatus RoundTheClockOpen() => Evaluator.Evaluate(RoundTheClock, WednesdayMorning);

    [Benchmark(Description = "Week view: office")]
    public IReadOnlyList<DaySchedule> OfficeWeek() => Evaluator.Week(Office, new DateOnly(2026, 6, 17));

    [Benchmark(Description = "Parse stored rules (jsonb text)")]
    public OpeningRules? ParseRules() => JsonSerializer.Deserialize<OpeningRules>(OfficeJson, Json);

    private static TimeRange R(int sh, int sm, int eh, int em) => new(new TimeOnly(sh, sm), new TimeOnly(eh, em));
}
