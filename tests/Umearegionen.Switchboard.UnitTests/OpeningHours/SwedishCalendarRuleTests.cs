namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

/// <summary>
/// The calendar's rules checked for every supported year. The range is small enough to check
/// exhaustively, which beats sampling it.
/// </summary>
public class SwedishCalendarRuleTests
{
    private static readonly IEnumerable<int> AllYears = Enumerable.Range(
        SwedishCalendar.FirstSupportedYear,
        SwedishCalendar.LastSupportedYear - SwedishCalendar.FirstSupportedYear + 1);

    [Fact]
    public void EasterAgreesWithGausssAlgorithmInEveryYear()
    {
        foreach (var year in AllYears)
        {
            var easter = SwedishCalendar.EasterSunday(year);
            Assert.Equal(GaussEaster(year), easter);
            Assert.Equal(DayOfWeek.Sunday, easter.DayOfWeek);
            Assert.InRange(easter, new DateOnly(year, 3, 22), new DateOnly(year, 4, 25));
        }
    }

    [Fact]
    public void EveryPublicHolidayFallsOnItsDefinedDateOrWeekday()
    {
        foreach (var year in AllYears)
        {
            var easter = SwedishCalendar.EasterSunday(year);
            Assert.Equal(new DateOnly(year, 1, 1), Holiday(year, "nyarsdagen"));
            Assert.Equal(new DateOnly(year, 1, 6), Holiday(year, "trettondedag-jul"));
            Assert.Equal(easter.AddDays(-2), Holiday(year, "langfredagen"));
            Assert.Equal(DayOfWeek.Friday, Holiday(year, "langfredagen").DayOfWeek);
            Assert.Equal(easter, Holiday(year, "paskdagen"));
            Assert.Equal(easter.AddDays(1), Holiday(year, "annandag-pask"));
            Assert.Equal(DayOfWeek.Monday, Holiday(year, "annandag-pask").DayOfWeek);
            Assert.Equal(new DateOnly(year, 5, 1), Holiday(year, "forsta-maj"));
            Assert.Equal(new DateOnly(year, 6, 6), Holiday(year, "nationaldagen"));
            Assert.Equal(new DateOnly(year, 12, 25), Holiday(year, "juldagen"));
            Assert.Equal(new DateOnly(year, 12, 26), Holiday(year, "annandag-jul"));
        }
    }

    /// <summary>Kristi himmelsfärdsdag: the Thursday 39 days after Easter; pingstdagen: the Sunday 49 days after.</summary>
    [Theory]
    [InlineData("kristi-himmelsfardsdag", 39, DayOfWeek.Thursday)]
    [InlineData("pingstdagen", 49, DayOfWeek.Sunday)]
    public void AHolidayCountedFromEasterIsAlwaysItsWeekdayItsNumberOfDaysAfterEaster(string key, int daysAfterEaster, DayOfWeek weekday)
    {
        foreach (var year in AllYears)
        {
            var holiday = Holiday(year, key);
            Assert.Equal(SwedishCalendar.EasterSunday(year).AddDays(daysAfterEaster), holiday);
            Assert.Equal(weekday, holiday.DayOfWeek);
        }
    }

    /// <summary>Midsommardagen: the Saturday from 20 to 26 June; alla helgons dag: the Saturday from 31 October to 6 November.</summary>
    [Theory]
    [InlineData("midsommardagen", 6, 20, 6, 26)]
    [InlineData("alla-helgons-dag", 10, 31, 11, 6)]
    public void AHolidayOnTheSaturdayOfAWeekIsAlwaysThatSaturday(string key, int firstMonth, int firstDay, int lastMonth, int lastDay)
    {
        foreach (var year in AllYears)
        {
            var holiday = Holiday(year, key);
            Assert.Equal(DayOfWeek.Saturday, holiday.DayOfWeek);
            Assert.InRange(holiday, new DateOnly(year, firstMonth, firstDay), new DateOnly(year, lastMonth, lastDay));
        }
    }

    [Fact]
    public void MidsommaraftonIsTheFridayBetweenNineteenthAndTwentyFifthOfJune()
    {
        foreach (var year in AllYears)
        {
            var eve = Assert.Single(SwedishCalendar.DaysOfYear(year), d => d.Key == "midsommarafton");
            Assert.Equal(DayKind.Eve, eve.Kind);
            Assert.Equal(EveKind.Midsommarafton, eve.EveKind);
            Assert.Equal(DayOfWeek.Friday, eve.Date.DayOfWeek);
            Assert.InRange(eve.Date, new DateOnly(year, 6, 19), new DateOnly(year, 6, 25));
            Assert.Equal(Holiday(year, "midsommardagen").AddDays(-1), eve.Date);
        }
    }

    [Fact]
    public void EachEveIsOnItsDateWithItsOwnKind()
    {
        foreach (var year in AllYears)
        {
            var eves = SwedishCalendar.DaysOfYear(year).Where(d => d.Kind == DayKind.Eve).ToList();
            Assert.Equal(
                [
                    (SwedishCalendar.EasterSunday(year).AddDays(-1), EveKind.Paskafton),
                    (Holiday(year, "midsommardagen").AddDays(-1), EveKind.Midsommarafton),
                    (new DateOnly(year, 12, 24), EveKind.Julafton),
                    (new DateOnly(year, 12, 31), EveKind.Nyarsafton),
                ],
                eves.Select(e => (e.Date, e.EveKind!.Value)).ToList());
        }
    }

    [Fact]
    public void NoDateIsClassifiedTwiceAndClassifyAgreesWithTheYearList()
    {
        foreach (var year in AllYears)
        {
            var days = SwedishCalendar.DaysOfYear(year);
            Assert.Equal(days.Count, days.Select(d => d.Date).Distinct().Count());
            Assert.Equal(days.OrderBy(d => d.Date), days);

            var byDate = days.ToDictionary(d => d.Date);
            for (var date = new DateOnly(year, 1, 1); date.Year == year; date = date.AddDays(1))
            {
                Assert.Equal(byDate.GetValueOrDefault(date), SwedishCalendar.Classify(date));
            }
        }
    }

    [Fact]
    public void DaysBeforeHolidaysAreExactlyTheOrdinaryDaysBeforeAHoliday()
    {
        foreach (var year in AllYears)
        {
            var byDate = SwedishCalendar.DaysOfYear(year).ToDictionary(d => d.Date);
            foreach (var day in byDate.Values)
            {
                if (day.Kind == DayKind.DayBeforeHoliday)
                {
                    var holiday = byDate[day.Date.AddDays(1)];
                    Assert.Equal(DayKind.PublicHoliday, holiday.Kind);
                    Assert.Equal("day-before:" + holiday.Key, day.Key);
                }
                else if (day.Kind == DayKind.PublicHoliday && day.Date.AddDays(-1).Year == year)
                {
                    // Whatever precedes a holiday is listed: as an eve, a holiday or a day before.
                    Assert.True(byDate.ContainsKey(day.Date.AddDays(-1)), $"Nothing listed before {day.Name} {day.Date}");
                }
            }
        }
    }

    [Fact]
    public void EveryHolidayAppearsExactlyOncePerYear()
    {
        string[] keys =
        [
            "nyarsdagen", "trettondedag-jul", "langfredagen", "paskdagen", "annandag-pask", "forsta-maj",
            "kristi-himmelsfardsdag", "nationaldagen", "pingstdagen", "midsommardagen", "alla-helgons-dag",
            "juldagen", "annandag-jul",
        ];
        foreach (var year in AllYears)
        {
            var listed = SwedishCalendar.DaysOfYear(year)
                .Where(d => d.Kind == DayKind.PublicHoliday)
                .SelectMany(d => d.Key.Split('+'))
                .Order()
                .ToList();
            Assert.Equal(keys.Order().ToList(), listed);
        }
    }

    private static DateOnly Holiday(int year, string key) =>
        Assert.Single(SwedishCalendar.DaysOfYear(year), d => d.Kind == DayKind.PublicHoliday && d.Key.Split('+').Contains(key)).Date;

    /// <summary>
    /// An independent oracle: Gauss's Easter formula with its two classic exceptions, a different
    /// derivation from the Meeus/Jones/Butcher algorithm under test.
    /// </summary>
    private static DateOnly GaussEaster(int year)
    {
        int a = year % 19, b = year % 4, c = year % 7;
        int k = year / 100, p = ((13 + (8 * k)) / 25), q = k / 4;
        int m = (15 - p + k - q) % 30;
        int n = (4 + k - q) % 7;
        int d = ((19 * a) + m) % 30;
        int e = ((2 * b) + (4 * c) + (6 * d) + n) % 7;
        if (d == 29 && e == 6)
        {
            return new DateOnly(year, 4, 19);
        }

        if (d == 28 && e == 6 && ((11 * m) + 11) % 30 < 19)
        {
            return new DateOnly(year, 4, 18);
        }

        return new DateOnly(year, 3, 22).AddDays(d + e);
    }
}
