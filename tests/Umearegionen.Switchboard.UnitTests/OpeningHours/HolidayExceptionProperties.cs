using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>How exceptions meet the holiday policy, on every kind of special day of any supported year.</summary>
public class HolidayExceptionProperties
{
    private static readonly TimeRange[] Hours = [R("07:00", "11:00"), R("09:00", "15:00"), R("12:00", "18:00"), R("16:30", "08:00")];

    /// <summary>A special day (holiday, eve or day before), an exception range around it and its hours.</summary>
    private static readonly Arbitrary<(CalendarDay Day, int Before, int After, TimeRange Hours)> Cases =
        Gen.Choose(SwedishCalendar.FirstSupportedYear, SwedishCalendar.LastSupportedYear)
            .SelectMany(year => Gen.Elements(SwedishCalendar.DaysOfYear(year).ToArray()))
            .Where(day => day.Date > new DateOnly(SwedishCalendar.FirstSupportedYear, 1, 31) && day.Date < new DateOnly(SwedishCalendar.LastSupportedYear, 12, 1))
            .SelectMany(day => Gen.Choose(0, 30), (day, before) => (day, before))
            .SelectMany(_ => Gen.Choose(0, 30), (x, after) => (x.day, x.before, after))
            .SelectMany(_ => Gen.Elements(Hours), (x, hours) => (x.day, x.before, x.after, hours))
            .ToArbitrary();

    private static readonly HolidayPolicy ClosedOnEverySpecialDay = HolidayPolicy.Default with { DayBeforeHoliday = DayTreatment.Closed };

    private static OpeningRules With(DateException exception, HolidayPolicy policy) =>
        Rules(WeeklySchedule.EveryDay(R("08:00", "16:00")), exception) with { Holidays = policy };

    [Property(MaxTest = 300)]
    public Property HoursThatDoNotOverrideHolidaysNeverOpenADayThePolicyCloses() =>
        Prop.ForAll(Cases, c =>
        {
            var exception = DateException.OpenOn(c.Day.Date.AddDays(-c.Before), c.Day.Date.AddDays(c.After), "Sommartider", c.Hours);
            var day = Evaluator.HoursOn(With(exception, ClosedOnEverySpecialDay), c.Day.Date);
            return day.Intervals.Count == 0 && day.Reason == c.Day.Name;
        });

    [Property(MaxTest = 300)]
    public Property HoursThatOverrideHolidaysApplyOnEverySpecialDay() =>
        Prop.ForAll(Cases, c =>
        {
            var exception = DateException.OpenEvenOnHolidays(c.Day.Date.AddDays(-c.Before), c.Day.Date.AddDays(c.After), "Öppet", c.Hours);
            var day = Evaluator.HoursOn(With(exception, ClosedOnEverySpecialDay), c.Day.Date);
            var start = day.Intervals.Single().Start;
            return TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, Stockholm).DateTime) == c.Hours.Start && day.Reason == "Öppet";
        });

    [Property(MaxTest = 300)]
    public Property AClosedExceptionClosesEvenWhenThePolicyOpens() =>
        Prop.ForAll(Cases, c =>
        {
            var exception = DateException.ClosedOn(c.Day.Date.AddDays(-c.Before), c.Day.Date.AddDays(c.After), "Stängt");
            var openOnSpecialDays = AllDaysNormal with { PublicHoliday = DayTreatment.Open(c.Hours), Julafton = DayTreatment.Open(c.Hours) };
            var day = Evaluator.HoursOn(With(exception, openOnSpecialDays), c.Day.Date);
            return day.Intervals.Count == 0 && day.Reason == "Stängt";
        });
}
