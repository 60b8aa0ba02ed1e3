using System.Globalization;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>Short ways to write rules and instants in tests.</summary>
internal static class RuleBuilders
{
    public static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    public static readonly OpeningHoursEvaluator Evaluator = new(Stockholm);

    public static readonly HolidayPolicy AllDaysNormal = new()
    {
        PublicHoliday = DayTreatment.Normal,
        Paskafton = DayTreatment.Normal,
        Midsommarafton = DayTreatment.Normal,
        Julafton = DayTreatment.Normal,
        Nyarsafton = DayTreatment.Normal,
        DayBeforeHoliday = DayTreatment.Normal,
    };

    /// <summary>A typical office: weekdays 08:00–16:30 with lunch closed 12:00–13:00.</summary>
    public static OpeningRules Office(params DateException[] exceptions) =>
        Rules(WeeklySchedule.MondayToFriday(R("08:00", "12:00"), R("13:00", "16:30")), exceptions);

    public static OpeningRules Rules(WeeklySchedule weekly, params DateException[] exceptions) =>
        new(weekly, exceptions, HolidayPolicy.Default, ClosedAction.None);

    public static TimeRange R(string start, string end) => new(Time(start), Time(end));

    public static TimeOnly Time(string time) => TimeOnly.ParseExact(time, "HH:mm", CultureInfo.InvariantCulture);

    public static DateOnly D(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant written with an explicit offset, so daylight-saving tests say exactly which one.</summary>
    public static DateTimeOffset T(string instant) =>
        DateTimeOffset.ParseExact(instant, ["yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz"], CultureInfo.InvariantCulture);

    public static OpenStatus Evaluate(OpeningRules rules, string instant) => Evaluator.Evaluate(rules, T(instant));
}
