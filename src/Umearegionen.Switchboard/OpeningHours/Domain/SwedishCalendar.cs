using System.Collections.Concurrent;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// The Swedish public holidays, eves and days before holidays, computed from the rules of
/// lag (1989:253) om allmänna helgdagar rather than looked up in a table, so any supported year works.
/// </summary>
/// <remarks>
/// The current law is applied to every supported year. Before 2005 Sweden had annandag pingst
/// instead of nationaldagen, so results for older years describe today's rules, not history;
/// that is what a switchboard planning its opening hours needs.
/// Ordinary Sundays are holidays by law too, but the weekly schedule already covers them, so they
/// are not listed.
/// </remarks>
public static class SwedishCalendar
{
    public const int FirstSupportedYear = 1900;
    public const int LastSupportedYear = 2200;

    // The year lists are immutable and cheap to build, but the evaluator classifies up to 400
    // consecutive days per question, so each year is built once.
    private static readonly ConcurrentDictionary<int, YearCalendar> Years = new();

    /// <summary>Easter Sunday by the Anonymous Gregorian (Meeus/Jones/Butcher) algorithm.</summary>
    public static DateOnly EasterSunday(int year)
    {
        EnsureSupported(year);
        int a = year % 19;
        int b = year / 100;
        int c = year % 100;
        int d = b / 4;
        int e = b % 4;
        int f = (b + 8) / 25;
        int g = (b - f + 1) / 3;
        int h = ((19 * a) + b - d - g + 15) % 30;
        int i = c / 4;
        int k = c % 4;
        int l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31;
        int day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>All public holidays, eves and days before holidays of the year, sorted by date.</summary>
    public static IReadOnlyList<CalendarDay> DaysOfYear(int year)
    {
        EnsureSupported(year);
        return Years.GetOrAdd(year, Build).Days;
    }

    /// <summary>The special day that <paramref name="date"/> is, or null for an ordinary day.</summary>
    public static CalendarDay? Classify(DateOnly date)
    {
        EnsureSupported(date.Year);
        return Years.GetOrAdd(date.Year, Build).ByDate.GetValueOrDefault(date);
    }

    private sealed record YearCalendar(IReadOnlyList<CalendarDay> Days, IReadOnlyDictionary<DateOnly, CalendarDay> ByDate);

    /// <summary>A public holiday and what the day before it is traditionally called.</summary>
    private sealed record Holiday(DateOnly Date, string Key, string Name, string DayBeforeName);

    private static IEnumerable<Holiday> PublicHolidays(int year)
    {
        var easter = EasterSunday(year);
        yield return new(new(year, 1, 1), "nyarsdagen", "Nyårsdagen", "Nyårsafton");
        yield return new(new(year, 1, 6), "trettondedag-jul", "Trettondedag jul", "Trettondagsafton");
        yield return new(easter.AddDays(-2), "langfredagen", "Långfredagen", "Skärtorsdagen");
        yield return new(easter, "paskdagen", "Påskdagen", "Påskafton");
        yield return new(easter.AddDays(1), "annandag-pask", "Annandag påsk", "Dag före annandag påsk");
        yield return new(new(year, 5, 1), "forsta-maj", "Första maj", "Valborgsmässoafton");
        yield return new(easter.AddDays(39), "kristi-himmelsfardsdag", "Kristi himmelsfärdsdag", "Dag före Kristi himmelsfärdsdag");
        yield return new(new(year, 6, 6), "nationaldagen", "Nationaldagen", "Dag före nationaldagen");
        yield return new(easter.AddDays(49), "pingstdagen", "Pingstdagen", "Pingstafton");
        yield return new(SaturdayFrom(new(year, 6, 20)), "midsommardagen", "Midsommardagen", "Midsommarafton");
        yield return new(SaturdayFrom(new(year, 10, 31)), "alla-helgons-dag", "Alla helgons dag", "Allhelgonaafton");
        yield return new(new(year, 12, 25), "juldagen", "Juldagen", "Julafton");
        yield return new(new(year, 12, 26), "annandag-jul", "Annandag jul", "Dag före annandag jul");
    }

    private static IEnumerable<CalendarDay> Eves(int year)
    {
        yield return Eve(EasterSunday(year).AddDays(-1), EveKind.Paskafton, "paskafton", "Påskafton");
        yield return Eve(SaturdayFrom(new(year, 6, 20)).AddDays(-1), EveKind.Midsommarafton, "midsommarafton", "Midsommarafton");
        yield return Eve(new(year, 12, 24), EveKind.Julafton, "julafton", "Julafton");
        yield return Eve(new(year, 12, 31), EveKind.Nyarsafton, "nyarsafton", "Nyårsafton");
    }

    private static CalendarDay Eve(DateOnly date, EveKind kind, string key, string name) =>
        new(date, DayKind.Eve, key, name, kind);

    private static YearCalendar Build(int year)
    {
        var byDate = new Dictionary<DateOnly, CalendarDay>();

        // Two holidays can share a date (Kristi himmelsfärdsdag on första maj in 2008, pingstdagen
        // on nationaldagen in 2049). A date is still one day to the switchboard, so they merge.
        var holidays = PublicHolidays(year).GroupBy(h => h.Date).ToList();
        foreach (var same in holidays)
        {
            byDate[same.Key] = new CalendarDay(
                same.Key,
                DayKind.PublicHoliday,
                string.Join('+', same.Select(h => h.Key)),
                string.Join(" / ", same.Select(h => h.Name)));
        }

        // Precedence: a holiday beats an eve, and both beat "day before a holiday", so julafton is
        // an eve and the day before annandag påsk is påskdagen.
        foreach (var eve in Eves(year))
        {
            byDate.TryAdd(eve.Date, eve);
        }

        foreach (var same in holidays)
        {
            var dayBefore = same.Key.AddDays(-1);
            if (dayBefore.Year != year)
            {
                continue; // The day before nyårsdagen is the previous year's nyårsafton.
            }

            byDate.TryAdd(dayBefore, new CalendarDay(
                dayBefore,
                DayKind.DayBeforeHoliday,
                "day-before:" + string.Join('+', same.Select(h => h.Key)),
                string.Join(" / ", same.Select(h => h.DayBeforeName))));
        }

        var days = byDate.Values.OrderBy(d => d.Date).ToList();
        return new YearCalendar(days.AsReadOnly(), byDate);
    }

    /// <summary>The first Saturday on or after <paramref name="date"/>.</summary>
    private static DateOnly SaturdayFrom(DateOnly date) =>
        date.AddDays(((int)DayOfWeek.Saturday - (int)date.DayOfWeek + 7) % 7);

    private static void EnsureSupported(int year)
    {
        if (year is < FirstSupportedYear or > LastSupportedYear)
        {
            throw new ArgumentOutOfRangeException(
                nameof(year), year, $"The Swedish calendar is supported for {FirstSupportedYear}–{LastSupportedYear}.");
        }
    }
}
