using static Umearegionen.Switchboard.UnitTests.OpeningHours.RuleBuilders;

namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

public class OpeningRulesValidationTests
{
    [Fact]
    public void SoundRulesHaveNoErrors()
    {
        var rules = Office(
            DateException.OpenOn(D("2025-06-30"), D("2025-08-10"), "Sommartider", R("08:00", "15:00")),
            DateException.ClosedOn(D("2025-07-15"), D("2025-07-15"), "Stängt för utbildningsdag")) with
        {
            WhenClosed = new ClosedAction(ClosedActionKind.OnCallNumber, Phone: "090-16 10 00"),
        };

        Assert.Empty(rules.Validate());
    }

    [Fact]
    public void OverlappingIntervalsOnADayAreReportedNamingTheDay()
    {
        var rules = Rules(new WeeklySchedule { Monday = [R("08:00", "12:00"), R("11:00", "13:00")] });

        var error = Assert.Single(rules.Validate());

        Assert.Equal("Weekly.Monday[1]", error.Path);
        Assert.Equal("Monday 11:00–13:00 overlaps Monday 08:00–12:00. Intervals may meet but not overlap.", error.Message);
    }

    [Fact]
    public void IntervalsMayMeetWithoutOverlapping()
    {
        var rules = Rules(WeeklySchedule.EveryDay(R("08:00", "16:30"), R("16:30", "08:00")));

        Assert.Empty(rules.Validate());
    }

    [Fact]
    public void AnOvernightIntervalMustNotOverlapTheNextDaysFirstInterval()
    {
        var rules = Rules(new WeeklySchedule { Monday = [R("16:30", "08:00")], Tuesday = [R("07:00", "12:00")] });

        var error = Assert.Single(rules.Validate());

        Assert.Equal("Weekly.Tuesday[0]", error.Path);
        Assert.Contains("Tuesday 07:00–12:00 overlaps Monday 16:30–08:00 (runs past midnight into Tuesday)", error.Message);
    }

    [Fact]
    public void SundaysOvernightIntervalRunsIntoMonday()
    {
        var rules = Rules(new WeeklySchedule { Monday = [R("07:00", "12:00")], Sunday = [R("22:00", "08:00")] });

        var error = Assert.Single(rules.Validate());

        Assert.Equal("Weekly.Sunday[0]", error.Path);
        Assert.Contains("into Monday", error.Message);
    }

    [Fact]
    public void AWholeDayLeavesNoRoomForAnotherIntervalThatDay()
    {
        var rules = Rules(new WeeklySchedule { Saturday = [R("00:00", "00:00"), R("10:00", "12:00")] });

        Assert.Equal("Weekly.Saturday[1]", Assert.Single(rules.Validate()).Path);
    }

    [Fact]
    public void AnExceptionThatEndsBeforeItStartsIsReported()
    {
        var rules = Office(DateException.ClosedOn(D("2025-06-10"), D("2025-06-01"), "Inventering"));

        var error = Assert.Single(rules.Validate());

        Assert.Equal("Exceptions[0].To", error.Path);
        Assert.Contains("2025-06-01", error.Message);
        Assert.Contains("2025-06-10", error.Message);
    }

    [Fact]
    public void ExceptionsNeedAReasonAndConsistentHours()
    {
        var rules = Office(
            new DateException(D("2025-06-02"), D("2025-06-02"), Closed: true, [R("08:00", "10:00")], "Flytt"),
            new DateException(D("2025-06-03"), D("2025-06-03"), Closed: false, [], " "),
            new DateException(D("2025-06-04"), D("2025-06-04"), Closed: false, [R("08:00", "12:00"), R("10:00", "14:00")], "Kort dag"),
            new DateException(D("2025-06-05"), D("2025-06-06"), Closed: true, [], "Bara helg", Weekdays: []));

        Assert.Equal(
            ["Exceptions[0].Hours", "Exceptions[1].Reason", "Exceptions[1].Hours", "Exceptions[2].Hours[1]", "Exceptions[3].Weekdays"],
            rules.Validate().Select(e => e.Path));
    }

    [Fact]
    public void EquallyLongExceptionsOnTheSameDateHaveNoWinner()
    {
        var rules = Office(
            DateException.ClosedOn(D("2025-09-01"), D("2025-09-03"), "Utbildning"),
            DateException.OpenOn(D("2025-09-03"), D("2025-09-05"), "Mässa", R("10:00", "14:00")));

        var error = Assert.Single(rules.Validate());

        Assert.Equal("Exceptions[1]", error.Path);
        Assert.Contains("2025-09-03", error.Message);
    }

    [Fact]
    public void EquallyLongExceptionsOnDifferentWeekdaysDoNotConflict()
    {
        var weekdays = new DateException(D("2025-09-01"), D("2025-09-30"), false, [R("08:00", "15:00")], "Höst vardag",
            [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]);
        var weekends = new DateException(D("2025-09-01"), D("2025-09-30"), false, [R("10:00", "12:00")], "Höst helg",
            [DayOfWeek.Saturday, DayOfWeek.Sunday]);

        Assert.Empty(Office(weekdays, weekends).Validate());
    }

    [Fact]
    public void HolidayTreatmentsMustBeComplete()
    {
        var rules = Office() with
        {
            Holidays = HolidayPolicy.Default with
            {
                PublicHoliday = new DayTreatment(DayTreatmentKind.Hours),
                DayBeforeHoliday = new DayTreatment(DayTreatmentKind.CloseEarly),
                Julafton = new DayTreatment(DayTreatmentKind.Closed, At: Time("12:00")),
            },
        };

        Assert.Equal(
            ["Holidays.PublicHoliday.Hours", "Holidays.Julafton.At", "Holidays.DayBeforeHoliday.At"],
            rules.Validate().Select(e => e.Path));
    }

    [Theory]
    [InlineData(ClosedActionKind.OnCallNumber, "WhenClosed.Phone")]
    [InlineData(ClosedActionKind.EService, "WhenClosed.Url")]
    [InlineData(ClosedActionKind.Message, "WhenClosed.Text")]
    public void AClosedActionNeedsWhatItRefersTo(ClosedActionKind kind, string path)
    {
        var rules = Office() with { WhenClosed = new ClosedAction(kind, Phone: "ring oss", Url: "www.umea.se") };

        Assert.Equal(path, Assert.Single(rules.Validate()).Path);
    }

    [Fact]
    public void MissingPartsFromIncompleteJsonAreReportedNotThrown()
    {
        var rules = new OpeningRules(
            new WeeklySchedule { Monday = null! },
            null!,
            HolidayPolicy.Default with { Julafton = null! },
            null!);

        Assert.Equal(
            ["Weekly.Monday", "Exceptions", "Holidays.Julafton", "WhenClosed"],
            rules.Validate().Select(e => e.Path));
    }
}
