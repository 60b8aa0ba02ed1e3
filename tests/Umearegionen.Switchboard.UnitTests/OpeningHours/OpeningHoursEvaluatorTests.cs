using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>Ordinary days: opening, closing, lunch, overnight and round-the-clock lines.</summary>
public class OpeningHoursEvaluatorTests
{
    // 10–16 March 2025 is an ordinary week in winter time (+01:00) without special days.

    [Fact]
    public void OpenExactlyAtOpeningTime()
    {
        var status = Evaluate(Office(), "2025-03-11T08:00+01:00");

        Assert.True(status.IsOpen);
        Assert.Equal(T("2025-03-11T12:00+01:00"), status.ClosesAt);
        Assert.Null(status.OpensAt);
        Assert.Null(status.WhenClosed);
    }

    [Fact]
    public void ClosedExactlyAtClosingTimeAndOpensNextMorning()
    {
        var status = Evaluate(Office(), "2025-03-11T16:30+01:00");

        Assert.False(status.IsOpen);
        Assert.Equal(T("2025-03-11T16:30+01:00"), Evaluate(Office(), "2025-03-11T16:29:59+01:00").ClosesAt);
        Assert.Equal(T("2025-03-12T08:00+01:00"), status.OpensAt);
        Assert.Null(status.ClosesAt);
    }

    [Fact]
    public void ClosedOverLunchAndOpensAgainAfterIt()
    {
        var beforeLunch = Evaluate(Office(), "2025-03-11T11:58+01:00");
        var lunch = Evaluate(Office(), "2025-03-11T12:00+01:00");

        Assert.True(beforeLunch.IsOpen);
        Assert.Equal(TimeSpan.FromMinutes(2), beforeLunch.TimeUntilClose);
        Assert.True(beforeLunch.ClosesWithin(TimeSpan.FromMinutes(5)));
        Assert.False(beforeLunch.ClosesWithin(TimeSpan.FromMinutes(1)));
        Assert.False(lunch.IsOpen);
        Assert.False(lunch.ClosesWithin(TimeSpan.FromHours(1)));
        Assert.Equal(T("2025-03-11T13:00+01:00"), lunch.OpensAt);
    }

    [Fact]
    public void ClosedOnTheWeekendOpensMonday()
    {
        var status = Evaluate(Office(), "2025-03-14T17:00+01:00");

        Assert.Equal(T("2025-03-17T08:00+01:00"), status.OpensAt);
    }

    [Fact]
    public void AnOvernightIntervalIsOpenTheNextMorningUntilItEnds()
    {
        var onCall = Rules(WeeklySchedule.MondayToFriday(R("16:30", "08:00")));

        var early = Evaluate(onCall, "2025-03-14T07:00+01:00");
        var after = Evaluate(onCall, "2025-03-14T08:00+01:00");

        Assert.True(early.IsOpen);
        Assert.Equal(T("2025-03-14T08:00+01:00"), early.ClosesAt);
        Assert.False(after.IsOpen);
        Assert.Equal(T("2025-03-14T16:30+01:00"), after.OpensAt);
    }

    [Fact]
    public void AbuttingIntervalsFormOneOpenPeriod()
    {
        // Office hours plus an on-call line from Monday morning until Saturday morning.
        var rules = Rules(WeeklySchedule.MondayToFriday(R("08:00", "16:30"), R("16:30", "08:00")));

        var status = Evaluate(rules, "2025-03-12T10:00+01:00");

        Assert.True(status.IsOpen);
        Assert.Equal(T("2025-03-15T08:00+01:00"), status.ClosesAt);
    }

    [Fact]
    public void ARoundTheClockLineNeverCloses()
    {
        var rules = Rules(WeeklySchedule.EveryDay(R("00:00", "00:00"))) with { Holidays = AllDaysNormal };

        var status = Evaluate(rules, "2025-12-24T03:00+01:00");

        Assert.True(status.IsOpen);
        Assert.Null(status.ClosesAt);
        Assert.Null(status.TimeUntilClose);
        Assert.False(status.ClosesWithin(TimeSpan.FromDays(365)));
        Assert.Equal(TimeSpan.FromHours(24), Evaluator.HoursOn(rules, D("2025-03-12")).Intervals.Single().End - Evaluator.HoursOn(rules, D("2025-03-12")).Intervals.Single().Start);
    }

    [Fact]
    public void ARoundTheClockLineStillFollowsItsHolidayPolicy()
    {
        var rules = Rules(WeeklySchedule.EveryDay(R("00:00", "00:00")));

        var status = Evaluate(rules, "2025-12-20T12:00+01:00");

        Assert.Equal(T("2025-12-24T00:00+01:00"), status.ClosesAt);
    }

    [Fact]
    public void RulesThatNeverOpenHaveNoNextOpening()
    {
        var socialjouren = new ClosedAction(ClosedActionKind.OnCallNumber, Phone: "090-16 10 00");
        var rules = Rules(WeeklySchedule.AlwaysClosed) with { WhenClosed = socialjouren };

        var status = Evaluate(rules, "2025-03-11T10:00+01:00");

        Assert.False(status.IsOpen);
        Assert.Null(status.OpensAt);
        Assert.Equal(socialjouren, status.WhenClosed);
    }

    [Fact]
    public void TheWeekRunsMondayToSunday()
    {
        var week = Evaluator.Week(Office(), D("2025-03-13"));

        Assert.Equal(
            [D("2025-03-10"), D("2025-03-11"), D("2025-03-12"), D("2025-03-13"), D("2025-03-14"), D("2025-03-15"), D("2025-03-16")],
            week.Select(d => d.Date));
        Assert.All(week, d => Assert.False(d.Deviates));
        Assert.Equal(2, week[0].Intervals.Count);
        Assert.Empty(week[6].Intervals);
    }

    [Fact]
    public void IntervalsCarryTheLocalOffsetOfTheirInstant()
    {
        var day = Evaluator.HoursOn(Office(), D("2025-06-02"));

        Assert.Equal(
            [new OpenInterval(T("2025-06-02T08:00+02:00"), T("2025-06-02T12:00+02:00")), new OpenInterval(T("2025-06-02T13:00+02:00"), T("2025-06-02T16:30+02:00"))],
            day.Intervals);
        Assert.All(day.Intervals, i => Assert.Equal(TimeSpan.FromHours(2), i.Start.Offset));
    }

    [Fact]
    public void AnInstantGivenInAnotherOffsetIsEvaluatedInSwedishTime()
    {
        var status = Evaluator.Evaluate(Office(), T("2025-03-11T07:30+00:00"));

        Assert.True(status.IsOpen);
    }

    [Fact]
    public void EvaluationWorksToTheEdgesOfTheSupportedYearsAndRefusesBeyond()
    {
        var rules = Rules(WeeklySchedule.EveryDay(R("00:00", "00:00"))) with { Holidays = AllDaysNormal };

        Assert.True(Evaluate(rules, "1900-01-01T00:30+01:00").IsOpen);
        Assert.Null(Evaluate(rules, "2200-12-31T12:00+01:00").ClosesAt);
        Assert.Null(Evaluate(Office(), "2200-12-31T18:00+01:00").OpensAt);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluate(rules, "2201-01-01T12:00+01:00"));
    }
}
