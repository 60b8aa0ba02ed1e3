using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

public class HolidayAndExceptionTests
{
    private static readonly IReadOnlyList<DayOfWeek> MondayToFriday =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static readonly DateException Summer =
        new(D("2025-06-30"), D("2025-08-10"), Closed: false, [R("08:00", "15:00")], "Sommartider", MondayToFriday);

    private static readonly DateException TrainingDay =
        DateException.ClosedOn(D("2025-07-15"), D("2025-07-15"), "Stängt för utbildningsdag");

    [Fact]
    public void ClosedOnMidsommaraftonWithItsNameAsReason()
    {
        var status = Evaluate(Office(), "2025-06-20T10:00+02:00");

        Assert.False(status.IsOpen);
        Assert.Equal("Midsommarafton", status.Reason);
        Assert.Equal(T("2025-06-23T08:00+02:00"), status.OpensAt);
    }

    [Fact]
    public void AnExceptionThatOverridesHolidaysOpensAHoliday()
    {
        var rules = Office(DateException.OpenEvenOnHolidays(D("2025-06-20"), D("2025-06-20"), "Öppet midsommarafton", R("09:00", "12:00")));

        var status = Evaluate(rules, "2025-06-20T10:00+02:00");
        var day = Evaluator.HoursOn(rules, D("2025-06-20"));

        Assert.True(status.IsOpen);
        Assert.Equal(T("2025-06-20T12:00+02:00"), status.ClosesAt);
        Assert.Equal("Öppet midsommarafton", status.Reason);
        Assert.True(day.Deviates);
        Assert.Equal("midsommarafton", day.CalendarDay?.Key);
    }

    [Fact]
    public void SummerHoursOverlappingMidsommaraftonLeaveItClosed()
    {
        var summer = new DateException(D("2025-06-16"), D("2025-08-15"), Closed: false, [R("08:00", "15:00")], "Sommartider", MondayToFriday);
        var rules = Office(summer);

        var eve = Evaluator.HoursOn(rules, D("2025-06-20"));
        var status = Evaluate(rules, "2025-06-20T10:00+02:00");

        Assert.Empty(eve.Intervals);
        Assert.Equal("Midsommarafton", eve.Reason);
        Assert.False(status.IsOpen);
        Assert.Equal("Midsommarafton", status.Reason);
        Assert.Equal(T("2025-06-23T08:00+02:00"), status.OpensAt);
        Assert.Equal([new OpenInterval(T("2025-06-23T08:00+02:00"), T("2025-06-23T15:00+02:00"))], Evaluator.HoursOn(rules, D("2025-06-23")).Intervals);
    }

    [Fact]
    public void ClosingEarlyTheDayBeforeAHolidayCutsTheExceptionsHoursNotTheWeeks()
    {
        // Thursday 5 June 2025 is the day before nationaldagen; the default policy closes at 15:00.
        var longDays = DateException.OpenOn(D("2025-06-02"), D("2025-06-13"), "Förlängda öppettider", R("07:00", "18:00"));

        var day = Evaluator.HoursOn(Office(longDays), D("2025-06-05"));

        Assert.Equal([new OpenInterval(T("2025-06-05T07:00+02:00"), T("2025-06-05T15:00+02:00"))], day.Intervals);
        Assert.Equal("Dag före nationaldagen", day.Reason);
    }

    [Fact]
    public void AClosedExceptionAppliesEvenWhereTheHolidayPolicyWouldOpen()
    {
        var rules = Office(DateException.ClosedOn(D("2025-12-24"), D("2025-12-24"), "Stängt för inventering")) with
        {
            Holidays = HolidayPolicy.Default with { Julafton = DayTreatment.Open(R("09:00", "12:00")) },
        };

        var day = Evaluator.HoursOn(rules, D("2025-12-24"));

        Assert.Empty(day.Intervals);
        Assert.Equal("Stängt för inventering", day.Reason);
    }

    [Fact]
    public void AnExceptionAppliesOnASpecialDayThatThePolicyTreatsAsNormal()
    {
        var summer = DateException.OpenOn(D("2025-06-16"), D("2025-08-15"), "Sommartider", R("08:00", "15:00"));
        var rules = Office(summer) with { Holidays = AllDaysNormal };

        var day = Evaluator.HoursOn(rules, D("2025-06-20"));

        Assert.Equal([new OpenInterval(T("2025-06-20T08:00+02:00"), T("2025-06-20T15:00+02:00"))], day.Intervals);
        Assert.Equal("Sommartider", day.Reason);
    }

    [Fact]
    public void AOneDayExceptionInsideSummerHoursWins()
    {
        foreach (var rules in new[] { Office(Summer, TrainingDay), Office(TrainingDay, Summer) })
        {
            var monday = Evaluator.HoursOn(rules, D("2025-07-14"));
            var tuesday = Evaluator.HoursOn(rules, D("2025-07-15"));
            var saturday = Evaluator.HoursOn(rules, D("2025-07-19"));

            Assert.Equal([new OpenInterval(T("2025-07-14T08:00+02:00"), T("2025-07-14T15:00+02:00"))], monday.Intervals);
            Assert.Equal("Sommartider", monday.Reason);
            Assert.Empty(tuesday.Intervals);
            Assert.Equal("Stängt för utbildningsdag", tuesday.Reason);
            Assert.Empty(saturday.Intervals);
            Assert.Null(saturday.Reason); // the weekday filter leaves weekends to the weekly schedule
            Assert.Equal(T("2025-07-16T08:00+02:00"), Evaluator.Evaluate(rules, T("2025-07-14T15:00+02:00")).OpensAt);
        }
    }

    [Fact]
    public void TheDayBeforeAHolidayClosesEarly()
    {
        var day = Evaluator.HoursOn(Office(), D("2025-05-28"));
        var status = Evaluate(Office(), "2025-05-28T14:00+02:00");

        Assert.Equal(
            [new OpenInterval(T("2025-05-28T08:00+02:00"), T("2025-05-28T12:00+02:00")), new OpenInterval(T("2025-05-28T13:00+02:00"), T("2025-05-28T15:00+02:00"))],
            day.Intervals);
        Assert.True(day.Deviates);
        Assert.Equal("Dag före Kristi himmelsfärdsdag", day.Reason);
        Assert.Equal(T("2025-05-28T15:00+02:00"), status.ClosesAt);
        Assert.Equal(T("2025-05-30T08:00+02:00"), Evaluate(Office(), "2025-05-28T15:00+02:00").OpensAt);
    }

    [Fact]
    public void ClosingEarlyEndsAnOvernightIntervalAtTheCut()
    {
        var rules = Rules(WeeklySchedule.MondayToFriday(R("14:00", "02:00"), R("03:00", "06:00")));

        var day = Evaluator.HoursOn(rules, D("2025-05-28"));

        Assert.Equal([new OpenInterval(T("2025-05-28T03:00+02:00"), T("2025-05-28T06:00+02:00")), new OpenInterval(T("2025-05-28T14:00+02:00"), T("2025-05-28T15:00+02:00"))], day.Intervals);
    }

    [Fact]
    public void AfterSkartorsdagenTheNextOpeningIsTheTuesdayAfterAnnandagPask()
    {
        var closedEarly = Evaluate(Office(), "2025-04-17T15:00+02:00");
        var evening = Evaluate(Office(), "2025-04-17T16:00+02:00");

        Assert.False(closedEarly.IsOpen);
        Assert.Equal("Skärtorsdagen", evening.Reason);
        Assert.Equal(T("2025-04-22T08:00+02:00"), evening.OpensAt);
    }

    [Fact]
    public void AHolidayDoesNotCutTheOnCallIntervalThatStartedTheEveningBefore()
    {
        var onCall = Rules(WeeklySchedule.MondayToFriday(R("16:30", "08:00"))) with
        {
            Holidays = HolidayPolicy.Default with { DayBeforeHoliday = DayTreatment.Normal },
        };

        var langfredagMorning = Evaluate(onCall, "2025-04-18T07:00+02:00");

        Assert.True(langfredagMorning.IsOpen);
        Assert.Null(langfredagMorning.Reason); // decided by Thursday's ordinary interval
        Assert.Equal(T("2025-04-18T08:00+02:00"), langfredagMorning.ClosesAt);
        Assert.Equal(T("2025-04-22T16:30+02:00"), Evaluate(onCall, "2025-04-18T08:00+02:00").OpensAt);
    }

    [Fact]
    public void AHolidayTreatedNormallyKeepsTheWeeklyHoursButIsStillNamed()
    {
        var rules = Office() with { Holidays = AllDaysNormal };

        var day = Evaluator.HoursOn(rules, D("2025-06-06"));

        Assert.Equal(2, day.Intervals.Count);
        Assert.False(day.Deviates);
        Assert.Null(day.Reason);
        Assert.Equal("Nationaldagen", day.CalendarDay?.Name);
    }

    [Fact]
    public void AHolidayOnAClosedWeekdayIsNamedButDoesNotDeviate()
    {
        var week = Evaluator.Week(Office(), D("2025-06-18"));

        Assert.Equal(["Midsommarafton", "Midsommardagen"], week.Where(d => d.Reason is not null).Select(d => d.Reason));
        Assert.True(week[4].Deviates);
        Assert.False(week[5].Deviates);
    }

    [Fact]
    public void HolidayHoursReplaceTheWeeklySchedule()
    {
        var rules = Office() with { Holidays = HolidayPolicy.Default with { PublicHoliday = DayTreatment.Open(R("10:00", "14:00")) } };

        Assert.Equal(
            [new OpenInterval(T("2025-12-25T10:00+01:00"), T("2025-12-25T14:00+01:00"))],
            Evaluator.HoursOn(rules, D("2025-12-25")).Intervals);
    }

    [Fact]
    public void AUnitOverridesOnlyWhatItSaysOfItsMunicipalitysPolicy()
    {
        var municipality = HolidayPolicy.Default with { Nyarsafton = DayTreatment.CloseEarly(Time("14:00")) };
        var unit = new HolidayPolicyOverride
        {
            Julafton = DayTreatment.Open(R("09:00", "12:00")),
            DayBeforeHoliday = DayTreatment.CloseEarly(Time("12:00")),
        };
        var rules = Office() with { Holidays = municipality.Merge(unit) };

        Assert.Equal(municipality.Nyarsafton, rules.Holidays.Nyarsafton);
        Assert.Equal(DayTreatment.Closed, rules.Holidays.PublicHoliday);
        Assert.True(Evaluate(rules, "2025-12-24T10:00+01:00").IsOpen);
        Assert.False(Evaluate(rules, "2025-05-28T12:30+02:00").IsOpen);
        Assert.Equal(T("2025-12-31T14:00+01:00"), Evaluate(rules, "2025-12-31T13:30+01:00").ClosesAt);
        Assert.Same(municipality, municipality.Merge(null));
    }
}
