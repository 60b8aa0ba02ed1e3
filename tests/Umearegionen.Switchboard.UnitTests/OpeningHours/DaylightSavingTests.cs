using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>
/// Europe/Stockholm skips 02:00–03:00 on the last Sunday of March (30 March 2025) and repeats it on
/// the last Sunday of October (26 October 2025).
/// </summary>
public class DaylightSavingTests
{
    private static readonly OpeningRules OnCallEveryNight =
        Rules(WeeklySchedule.EveryDay(R("16:30", "08:00"))) with { Holidays = AllDaysNormal };

    /// <summary>16:30 to 08:00 is 15.5 hours: over the March change 14.5, over the October change 16.5.</summary>
    [Theory]
    [InlineData("2025-03-29", "2025-03-29T16:30+01:00", "2025-03-30T08:00+02:00", 2.0, 14.5)]
    [InlineData("2025-10-25", "2025-10-25T16:30+02:00", "2025-10-26T08:00+01:00", 1.0, 16.5)]
    public void AnOvernightIntervalOverAChangeLastsAnHourLessInMarchAndAnHourMoreInOctober(
        string evening, string start, string end, double endOffsetHours, double hours)
    {
        var night = Assert.Single(Evaluator.HoursOn(OnCallEveryNight, D(evening)).Intervals);

        Assert.Equal(T(start), night.Start);
        Assert.Equal(T(end), night.End);
        Assert.Equal(TimeSpan.FromHours(endOffsetHours), night.End.Offset);
        Assert.Equal(TimeSpan.FromHours(hours), night.End - night.Start);
    }

    [Fact]
    public void OvernightIntervalsHaveTheRightLengthOverEveryChangeFrom1996To2100()
    {
        // Sweden has followed the EU rule (last Sunday of March and of October) since 1996.
        for (int year = 1996; year <= 2100; year++)
        {
            var march = LastSunday(year, 3);
            var october = LastSunday(year, 10);
            Assert.Equal(TimeSpan.FromHours(14.5), Length(Evaluator.HoursOn(OnCallEveryNight, march.AddDays(-1)).Intervals.Single()));
            Assert.Equal(TimeSpan.FromHours(16.5), Length(Evaluator.HoursOn(OnCallEveryNight, october.AddDays(-1)).Intervals.Single()));
            Assert.Equal(TimeSpan.FromHours(15.5), Length(Evaluator.HoursOn(OnCallEveryNight, march.AddDays(1)).Intervals.Single()));
        }
    }

    [Fact]
    public void InstantsAroundTheMarchGapAreOpenDuringTheNight()
    {
        Assert.True(Evaluate(OnCallEveryNight, "2025-03-30T01:59:59+01:00").IsOpen);
        Assert.True(Evaluate(OnCallEveryNight, "2025-03-30T03:00+02:00").IsOpen);
        Assert.Equal(T("2025-03-30T08:00+02:00"), Evaluate(OnCallEveryNight, "2025-03-30T02:30+01:00").ClosesAt);
        Assert.False(Evaluate(OnCallEveryNight, "2025-03-30T08:00+02:00").IsOpen);
    }

    [Fact]
    public void InstantsInTheRepeatedOctoberHourAreOpenBothTimes()
    {
        Assert.True(Evaluate(OnCallEveryNight, "2025-10-26T02:30+02:00").IsOpen);
        Assert.True(Evaluate(OnCallEveryNight, "2025-10-26T02:30+01:00").IsOpen);
        Assert.Equal(T("2025-10-26T08:00+01:00"), Evaluate(OnCallEveryNight, "2025-10-26T02:30+02:00").ClosesAt);
        Assert.False(Evaluate(OnCallEveryNight, "2025-10-26T08:00+01:00").IsOpen);
    }

    [Fact]
    public void AnOpeningTimeInTheMarchGapMeansTheFirstInstantAfterIt()
    {
        var rules = Rules(new WeeklySchedule { Sunday = [R("02:30", "06:00")] }) with { Holidays = AllDaysNormal };

        var night = Assert.Single(Evaluator.HoursOn(rules, D("2025-03-30")).Intervals);

        Assert.Equal(T("2025-03-30T03:00+02:00"), night.Start);
        Assert.Equal(TimeSpan.FromHours(2), night.Start.Offset);
        Assert.Equal(T("2025-03-30T03:00+02:00"), Evaluate(rules, "2025-03-30T01:59:59+01:00").OpensAt);
        Assert.True(Evaluate(rules, "2025-03-30T03:00+02:00").IsOpen);
    }

    [Fact]
    public void AClosingTimeInTheMarchGapMeansTheFirstInstantAfterIt()
    {
        var rules = Rules(new WeeklySchedule { Saturday = [R("22:00", "02:30")] }) with { Holidays = AllDaysNormal };

        var night = Assert.Single(Evaluator.HoursOn(rules, D("2025-03-29")).Intervals);

        Assert.Equal(T("2025-03-30T03:00+02:00"), night.End);
        Assert.Equal(TimeSpan.FromHours(4), night.End - night.Start);
    }

    [Fact]
    public void AnIntervalWhollyInsideTheMarchGapDoesNotHappen()
    {
        var rules = Rules(new WeeklySchedule { Sunday = [R("02:15", "02:45")] }) with { Holidays = AllDaysNormal };

        Assert.Empty(Evaluator.HoursOn(rules, D("2025-03-30")).Intervals);
        Assert.Single(Evaluator.HoursOn(rules, D("2025-04-06")).Intervals);
        Assert.Equal(T("2025-04-06T02:15+02:00"), Evaluate(rules, "2025-03-30T01:00+01:00").OpensAt);
    }

    [Fact]
    public void AnOpeningTimeInTheRepeatedHourMeansItsFirstOccurrence()
    {
        var rules = Rules(new WeeklySchedule { Sunday = [R("02:30", "05:00")] }) with { Holidays = AllDaysNormal };

        var night = Assert.Single(Evaluator.HoursOn(rules, D("2025-10-26")).Intervals);

        Assert.Equal(T("2025-10-26T02:30+02:00"), night.Start);
        Assert.Equal(TimeSpan.FromHours(3.5), night.End - night.Start);
        Assert.False(Evaluate(rules, "2025-10-26T02:29+02:00").IsOpen);
        Assert.True(Evaluate(rules, "2025-10-26T02:30+02:00").IsOpen);
        Assert.True(Evaluate(rules, "2025-10-26T02:15+01:00").IsOpen);
    }

    [Fact]
    public void AClosingTimeInTheRepeatedHourMeansItsLaterOccurrence()
    {
        var rules = Rules(new WeeklySchedule { Saturday = [R("22:00", "02:30")] }) with { Holidays = AllDaysNormal };

        var night = Assert.Single(Evaluator.HoursOn(rules, D("2025-10-25")).Intervals);

        Assert.Equal(T("2025-10-26T02:30+01:00"), night.End);
        Assert.Equal(TimeSpan.FromHours(5.5), night.End - night.Start);
        Assert.True(Evaluate(rules, "2025-10-26T02:30+02:00").IsOpen);
        Assert.True(Evaluate(rules, "2025-10-26T02:29+01:00").IsOpen);
        Assert.False(Evaluate(rules, "2025-10-26T02:30+01:00").IsOpen);
    }

    [Fact]
    public void AWholeDayOnTheChangeDaysIsTwentyThreeOrTwentyFiveHours()
    {
        var rules = Rules(WeeklySchedule.EveryDay(R("00:00", "00:00"))) with { Holidays = AllDaysNormal };

        Assert.Equal(TimeSpan.FromHours(23), Length(Evaluator.HoursOn(rules, D("2025-03-30")).Intervals.Single()));
        Assert.Equal(TimeSpan.FromHours(25), Length(Evaluator.HoursOn(rules, D("2025-10-26")).Intervals.Single()));
    }

    private static TimeSpan Length(OpenInterval interval) => interval.End - interval.Start;

    private static DateOnly LastSunday(int year, int month)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(int)last.DayOfWeek);
    }
}
