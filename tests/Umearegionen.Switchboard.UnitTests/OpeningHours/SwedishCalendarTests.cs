namespace Umearegionen.Switchboard.UnitTests.OpeningHours;

public class SwedishCalendarTests
{
    [Theory]
    [InlineData(1943, 4, 25)] // the latest possible date
    [InlineData(2000, 4, 23)]
    [InlineData(2008, 3, 23)]
    [InlineData(2011, 4, 24)]
    [InlineData(2019, 4, 21)]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2038, 4, 25)]
    [InlineData(1913, 3, 23)]
    [InlineData(1954, 4, 18)]
    [InlineData(2049, 4, 18)]
    public void EasterSundayMatchesPublishedDates(int year, int month, int day)
    {
        Assert.Equal(new DateOnly(year, month, day), SwedishCalendar.EasterSunday(year));
    }

    [Theory]
    [InlineData(1899)]
    [InlineData(2201)]
    public void YearsOutsideTheSupportedRangeAreRejected(int year)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SwedishCalendar.DaysOfYear(year));
        Assert.Throws<ArgumentOutOfRangeException>(() => SwedishCalendar.EasterSunday(year));
        Assert.Throws<ArgumentOutOfRangeException>(() => SwedishCalendar.Classify(new DateOnly(year, 6, 1)));
    }

    [Fact]
    public void Year2025IsListedDateByDate()
    {
        AssertYear(2025,
            ("01-01", DayKind.PublicHoliday, "nyarsdagen", "Nyårsdagen"),
            ("01-05", DayKind.DayBeforeHoliday, "day-before:trettondedag-jul", "Trettondagsafton"),
            ("01-06", DayKind.PublicHoliday, "trettondedag-jul", "Trettondedag jul"),
            ("04-17", DayKind.DayBeforeHoliday, "day-before:langfredagen", "Skärtorsdagen"),
            ("04-18", DayKind.PublicHoliday, "langfredagen", "Långfredagen"),
            ("04-19", DayKind.Eve, "paskafton", "Påskafton"),
            ("04-20", DayKind.PublicHoliday, "paskdagen", "Påskdagen"),
            ("04-21", DayKind.PublicHoliday, "annandag-pask", "Annandag påsk"),
            ("04-30", DayKind.DayBeforeHoliday, "day-before:forsta-maj", "Valborgsmässoafton"),
            ("05-01", DayKind.PublicHoliday, "forsta-maj", "Första maj"),
            ("05-28", DayKind.DayBeforeHoliday, "day-before:kristi-himmelsfardsdag", "Dag före Kristi himmelsfärdsdag"),
            ("05-29", DayKind.PublicHoliday, "kristi-himmelsfardsdag", "Kristi himmelsfärdsdag"),
            ("06-05", DayKind.DayBeforeHoliday, "day-before:nationaldagen", "Dag före nationaldagen"),
            ("06-06", DayKind.PublicHoliday, "nationaldagen", "Nationaldagen"),
            ("06-07", DayKind.DayBeforeHoliday, "day-before:pingstdagen", "Pingstafton"),
            ("06-08", DayKind.PublicHoliday, "pingstdagen", "Pingstdagen"),
            ("06-20", DayKind.Eve, "midsommarafton", "Midsommarafton"),
            ("06-21", DayKind.PublicHoliday, "midsommardagen", "Midsommardagen"),
            ("10-31", DayKind.DayBeforeHoliday, "day-before:alla-helgons-dag", "Allhelgonaafton"),
            ("11-01", DayKind.PublicHoliday, "alla-helgons-dag", "Alla helgons dag"),
            ("12-24", DayKind.Eve, "julafton", "Julafton"),
            ("12-25", DayKind.PublicHoliday, "juldagen", "Juldagen"),
            ("12-26", DayKind.PublicHoliday, "annandag-jul", "Annandag jul"),
            ("12-31", DayKind.Eve, "nyarsafton", "Nyårsafton"));
    }

    [Fact]
    public void Year2026IsListedDateByDate()
    {
        AssertYear(2026,
            ("01-01", DayKind.PublicHoliday, "nyarsdagen", "Nyårsdagen"),
            ("01-05", DayKind.DayBeforeHoliday, "day-before:trettondedag-jul", "Trettondagsafton"),
            ("01-06", DayKind.PublicHoliday, "trettondedag-jul", "Trettondedag jul"),
            ("04-02", DayKind.DayBeforeHoliday, "day-before:langfredagen", "Skärtorsdagen"),
            ("04-03", DayKind.PublicHoliday, "langfredagen", "Långfredagen"),
            ("04-04", DayKind.Eve, "paskafton", "Påskafton"),
            ("04-05", DayKind.PublicHoliday, "paskdagen", "Påskdagen"),
            ("04-06", DayKind.PublicHoliday, "annandag-pask", "Annandag påsk"),
            ("04-30", DayKind.DayBeforeHoliday, "day-before:forsta-maj", "Valborgsmässoafton"),
            ("05-01", DayKind.PublicHoliday, "forsta-maj", "Första maj"),
            ("05-13", DayKind.DayBeforeHoliday, "day-before:kristi-himmelsfardsdag", "Dag före Kristi himmelsfärdsdag"),
            ("05-14", DayKind.PublicHoliday, "kristi-himmelsfardsdag", "Kristi himmelsfärdsdag"),
            ("05-23", DayKind.DayBeforeHoliday, "day-before:pingstdagen", "Pingstafton"),
            ("05-24", DayKind.PublicHoliday, "pingstdagen", "Pingstdagen"),
            ("06-05", DayKind.DayBeforeHoliday, "day-before:nationaldagen", "Dag före nationaldagen"),
            ("06-06", DayKind.PublicHoliday, "nationaldagen", "Nationaldagen"),
            ("06-19", DayKind.Eve, "midsommarafton", "Midsommarafton"),
            ("06-20", DayKind.PublicHoliday, "midsommardagen", "Midsommardagen"),
            ("10-30", DayKind.DayBeforeHoliday, "day-before:alla-helgons-dag", "Allhelgonaafton"),
            ("10-31", DayKind.PublicHoliday, "alla-helgons-dag", "Alla helgons dag"),
            ("12-24", DayKind.Eve, "julafton", "Julafton"),
            ("12-25", DayKind.PublicHoliday, "juldagen", "Juldagen"),
            ("12-26", DayKind.PublicHoliday, "annandag-jul", "Annandag jul"),
            ("12-31", DayKind.Eve, "nyarsafton", "Nyårsafton"));
    }

    [Fact]
    public void KristiHimmelsfardsdagOnForstaMajIsOneCombinedHoliday()
    {
        // Easter 2008 was 23 March, so Ascension fell on 1 May.
        var day = SwedishCalendar.Classify(new DateOnly(2008, 5, 1));

        Assert.NotNull(day);
        Assert.Equal(DayKind.PublicHoliday, day.Kind);
        Assert.Equal("forsta-maj+kristi-himmelsfardsdag", day.Key);
        Assert.Equal("Första maj / Kristi himmelsfärdsdag", day.Name);

        var before = SwedishCalendar.Classify(new DateOnly(2008, 4, 30));
        Assert.NotNull(before);
        Assert.Equal(DayKind.DayBeforeHoliday, before.Kind);
        Assert.Equal("day-before:forsta-maj+kristi-himmelsfardsdag", before.Key);
        Assert.Equal("Valborgsmässoafton / Dag före Kristi himmelsfärdsdag", before.Name);
    }

    [Fact]
    public void PingstdagenOnNationaldagenIsOneCombinedHoliday()
    {
        var day = SwedishCalendar.Classify(new DateOnly(2049, 6, 6));

        Assert.NotNull(day);
        Assert.Equal("nationaldagen+pingstdagen", day.Key);
        Assert.Equal("Nationaldagen / Pingstdagen", day.Name);

        var before = SwedishCalendar.Classify(new DateOnly(2049, 6, 5));
        Assert.Equal("day-before:nationaldagen+pingstdagen", before?.Key);
        Assert.Equal("Dag före nationaldagen / Pingstafton", before?.Name);
    }

    [Fact]
    public void JulaftonIsAnEveNotTheDayBeforeJuldagen()
    {
        var day = SwedishCalendar.Classify(new DateOnly(2025, 12, 24));

        Assert.Equal(new CalendarDay(new DateOnly(2025, 12, 24), DayKind.Eve, "julafton", "Julafton", EveKind.Julafton), day);
    }

    [Fact]
    public void TheDayBeforeAnnandagPaskIsPaskdagenAHoliday()
    {
        var day = SwedishCalendar.Classify(SwedishCalendar.EasterSunday(2025));

        Assert.Equal(DayKind.PublicHoliday, day?.Kind);
        Assert.Equal("paskdagen", day?.Key);
    }

    [Fact]
    public void AnOrdinarySundayIsNotListed()
    {
        Assert.Null(SwedishCalendar.Classify(new DateOnly(2025, 3, 9)));
    }

    private static void AssertYear(int year, params (string MonthDay, DayKind Kind, string Key, string Name)[] expected)
    {
        var actual = SwedishCalendar.DaysOfYear(year)
            .Select(d => (d.Date.ToString("MM-dd"), d.Kind, d.Key, d.Name))
            .ToList();
        Assert.Equal(expected.ToList(), actual);
    }
}
