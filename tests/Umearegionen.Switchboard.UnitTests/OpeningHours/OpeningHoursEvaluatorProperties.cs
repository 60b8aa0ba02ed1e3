using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>
/// Evaluate must agree with HoursOn, and its ClosesAt/OpensAt must be the real edges of the open
/// period, for random instants over several years with holidays and daylight-saving changes.
/// </summary>
public class OpeningHoursEvaluatorProperties
{
    private static readonly OpeningRules[] RuleSets =
    [
        Office(
            new DateException(D("2025-06-30"), D("2025-08-10"), false, [R("08:00", "15:00")], "Sommartider", [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]),
            DateException.ClosedOn(D("2025-07-15"), D("2025-07-15"), "Utbildningsdag"),
            DateException.OpenEvenOnHolidays(D("2026-12-24"), D("2026-12-24"), "Öppet julafton", R("09:00", "12:00"))),
        Rules(WeeklySchedule.MondayToFriday(R("16:30", "08:00")) with
        {
            Monday = [R("00:00", "08:00"), R("16:30", "08:00")],
            Friday = [R("16:30", "00:00")],
            Saturday = [R("00:00", "00:00")],
            Sunday = [R("00:00", "00:00")],
        }) with
        {
            Holidays = AllDaysNormal with { PublicHoliday = DayTreatment.Open(R("00:00", "00:00")) },
        },
        Rules(WeeklySchedule.EveryDay(R("00:00", "00:00"))),
        Rules(WeeklySchedule.EveryDay(R("08:00", "16:30"), R("16:30", "08:00"))) with
        {
            Holidays = HolidayPolicy.Default with { PublicHoliday = DayTreatment.Open(R("10:00", "14:00")) },
        },
        Rules(new WeeklySchedule
        {
            Saturday = [R("22:00", "02:30")],
            Sunday = [R("02:30", "05:00"), R("23:00", "02:15")],
            Monday = [R("02:15", "02:45")],
        }) with { Holidays = AllDaysNormal },
    ];

    private static readonly DateTimeOffset First = T("2024-01-01T00:00+01:00");

    // The nights of the daylight-saving changes get extra attention.
    private static readonly DateTimeOffset[] Changes =
    [
        T("2024-03-31T02:00+01:00"), T("2024-10-27T02:00+01:00"),
        T("2025-03-30T02:00+01:00"), T("2025-10-26T02:00+01:00"),
        T("2026-03-29T02:00+01:00"), T("2026-10-25T02:00+01:00"),
    ];

    private static readonly Arbitrary<(int Rules, DateTimeOffset At)> Cases =
        Gen.Choose(0, RuleSets.Length - 1)
            .SelectMany(_ => Gen.Frequency(
                (3, Gen.Choose(0, 4 * 365 * 24 * 60).Select(m => First.AddMinutes(m))),
                (1, Gen.Elements(Changes).SelectMany(c => Gen.Choose(-6 * 60, 7 * 60).Select(m => c.AddMinutes(m))))),
                (rules, at) => (rules, at))
            .ToArbitrary();

    [Fact]
    public void TheRuleSetsAreValid()
    {
        Assert.All(RuleSets, rules => Assert.Empty(rules.Validate()));
    }

    [Property(MaxTest = 1000)]
    public Property OpenExactlyWhenAnIntervalOfTodayOrYesterdayContainsTheInstant() =>
        Prop.ForAll(Cases, c =>
        {
            var rules = RuleSets[c.Rules];
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.At, Stockholm).DateTime);
            var intervals = Evaluator.HoursOn(rules, today.AddDays(-1)).Intervals.Concat(Evaluator.HoursOn(rules, today).Intervals);

            return Evaluator.Evaluate(rules, c.At).IsOpen == intervals.Any(i => i.Contains(c.At));
        });

    [Property(MaxTest = 1000)]
    public Property ClosesAtIsTheFirstClosedInstant() =>
        Prop.ForAll(Cases, c =>
        {
            var rules = RuleSets[c.Rules];
            var status = Evaluator.Evaluate(rules, c.At);
            if (!status.IsOpen || status.ClosesAt is not { } closes)
            {
                return true;
            }

            var lastOpen = Evaluator.Evaluate(rules, closes.AddTicks(-1));
            return closes > c.At
                && !Evaluator.Evaluate(rules, closes).IsOpen
                && lastOpen.IsOpen
                && lastOpen.ClosesAt == closes;
        });

    [Property(MaxTest = 1000)]
    public Property OpensAtIsTheFirstOpenInstant() =>
        Prop.ForAll(Cases, c =>
        {
            var rules = RuleSets[c.Rules];
            var status = Evaluator.Evaluate(rules, c.At);
            if (status.IsOpen || status.OpensAt is not { } opens)
            {
                return true;
            }

            var lastClosed = Evaluator.Evaluate(rules, opens.AddTicks(-1));
            return opens > c.At
                && Evaluator.Evaluate(rules, opens).IsOpen
                && !lastClosed.IsOpen
                && lastClosed.OpensAt == opens;
        });

    /// <summary>
    /// An answer stays true until it says it changes, which is what lets the directory's open-now
    /// status be remembered until then.
    /// </summary>
    [Property(MaxTest = 500)]
    public Property AnAnswerHoldsUntilTheStatusChanges() =>
        Prop.ForAll(Cases, Gen.Choose(1, 1000).ToArbitrary(), (c, permille) =>
        {
            var rules = RuleSets[c.Rules];
            var status = Evaluator.Evaluate(rules, c.At);
            if ((status.IsOpen ? status.ClosesAt : status.OpensAt) is not { } until)
            {
                return true;
            }

            var later = Evaluator.Evaluate(rules, c.At + ((until - c.At) * permille / 1001));
            return later.IsOpen == status.IsOpen && later.ClosesAt == status.ClosesAt && later.OpensAt == status.OpensAt;
        });
}
