namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// Answers "is this unit open, and until when" from its <see cref="OpeningRules"/>. Pure: the
/// instant to evaluate is always an argument. Rules are expected to have passed
/// <see cref="OpeningRules.Validate"/>; overlapping intervals are tolerated (treated as their union).
/// </summary>
/// <remarks>
/// Every interval belongs to the local date it starts on, even when it runs past midnight. So a
/// holiday that closes Friday does not cut an on-call interval that started Thursday evening, and
/// an instant early in the morning must also look at the previous date's intervals.
/// Daylight-saving choices are described on <see cref="LocalBoundaries"/>.
/// Dates outside the calendar's supported years throw <see cref="ArgumentOutOfRangeException"/>;
/// searches ahead stop at the end of the last supported year.
/// </remarks>
public sealed class OpeningHoursEvaluator(TimeZoneInfo timeZone)
{
    /// <summary>How far ahead to look for the next opening, or for the end of an open period.</summary>
    public const int SearchDays = 400;

    private static readonly DateOnly FirstSupportedDate = new(SwedishCalendar.FirstSupportedYear, 1, 1);
    private static readonly DateOnly LastSupportedDate = new(SwedishCalendar.LastSupportedYear, 12, 31);

    /// <summary>The intervals that start on <paramref name="date"/>, and why they deviate, if they do.</summary>
    public DaySchedule HoursOn(OpeningRules rules, DateOnly date)
    {
        var plan = Plan(rules, date);
        var weekly = ToInstants(Local(date, rules.Weekly.For(date.DayOfWeek)));
        return new DaySchedule(date, plan.Intervals, !plan.Intervals.SequenceEqual(weekly), plan.Reason, plan.CalendarDay);
    }

    /// <summary>Monday to Sunday of the week containing <paramref name="anyDateInWeek"/>.</summary>
    public IReadOnlyList<DaySchedule> Week(OpeningRules rules, DateOnly anyDateInWeek)
    {
        var monday = anyDateInWeek.AddDays(-(((int)anyDateInWeek.DayOfWeek + 6) % 7));
        return Enumerable.Range(0, 7).Select(i => HoursOn(rules, monday.AddDays(i))).ToList();
    }

    /// <summary>The same instant with the zone's offset, e.g. 10:00+01:00 for 09:00Z in winter.</summary>
    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, timeZone);

    public OpenStatus Evaluate(OpeningRules rules, DateTimeOffset instant)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime);
        var todayPlan = Plan(rules, today);

        // Yesterday's overnight interval may still be running this morning.
        var yesterday = today.AddDays(-1);
        DayPlan[] candidates = yesterday < FirstSupportedDate ? [todayPlan] : [Plan(rules, yesterday), todayPlan];
        var deciding = candidates.FirstOrDefault(p => p.Intervals.Any(i => i.Contains(instant)));

        return deciding is not null
            ? new OpenStatus(instant, IsOpen: true, EndOfOpenPeriod(rules, instant, candidates[0].Date), OpensAt: null, deciding.Reason, WhenClosed: null)
            : new OpenStatus(instant, IsOpen: false, ClosesAt: null, NextOpening(rules, instant, today), todayPlan.Reason, rules.WhenClosed);
    }

    /// <summary>
    /// Follows overlapping and abutting intervals (08:00–16:30 then 16:30–08:00) until a gap.
    /// Dates are visited in order and their intervals start no earlier than local midnight, so once
    /// the open period ends before the next date begins, nothing later can extend it.
    /// </summary>
    private DateTimeOffset? EndOfOpenPeriod(OpeningRules rules, DateTimeOffset instant, DateOnly fromDate)
    {
        var end = instant;
        var lastDate = Min(fromDate.AddDays(SearchDays + 1), LastSupportedDate);
        for (var date = fromDate; date <= lastDate; date = date.AddDays(1))
        {
            foreach (var interval in Plan(rules, date).Intervals)
            {
                if (interval.Start <= end && interval.End > end)
                {
                    end = interval.End;
                }
            }

            if (end < StartOfDate(date.AddDays(1)))
            {
                return end;
            }
        }

        return null;
    }

    private DateTimeOffset? NextOpening(OpeningRules rules, DateTimeOffset instant, DateOnly today)
    {
        var lastDate = Min(today.AddDays(SearchDays), LastSupportedDate);
        for (var date = today; date <= lastDate; date = date.AddDays(1))
        {
            // Sorted, so the first interval still ahead is the next opening.
            if (Plan(rules, date).Intervals.FirstOrDefault(i => i.Start > instant) is { } next)
            {
                return next.Start;
            }
        }

        return null;
    }

    private sealed record DayPlan(DateOnly Date, IReadOnlyList<OpenInterval> Intervals, string? Reason, CalendarDay? CalendarDay);

    /// <summary>
    /// Precedence: a closed exception; an exception with hours that overrides holidays; the holiday
    /// policy (applied to the exception's hours where it only cuts them or treats the day normally);
    /// the week. Among exceptions covering a date, the shortest decides.
    /// </summary>
    private DayPlan Plan(OpeningRules rules, DateOnly date)
    {
        var day = SwedishCalendar.Classify(date);

        // MinBy keeps the first of equally short exceptions; Validate reports such ties.
        var exception = rules.Exceptions.Where(e => e.Covers(date)).MinBy(e => e.LengthInDays);
        if (exception is { Closed: true })
        {
            return new DayPlan(date, [], exception.Reason, day);
        }

        // The hours the day has unless the holiday policy says otherwise.
        var baseHours = Local(date, exception is null ? rules.Weekly.For(date.DayOfWeek) : exception.Hours ?? []);
        var baseReason = exception?.Reason;
        if (day is null || exception is { OverridesHolidays: true })
        {
            return new DayPlan(date, ToInstants(baseHours), baseReason, day);
        }

        var treatment = rules.Holidays.For(day);
        IReadOnlyList<LocalInterval>? local = treatment.Kind switch
        {
            DayTreatmentKind.Normal => null,
            DayTreatmentKind.Closed => [],
            DayTreatmentKind.Hours => Local(date, treatment.Hours ?? []),
            DayTreatmentKind.CloseEarly => CutAt(baseHours, date.ToDateTime(treatment.At ?? throw Invalid(day, treatment))),
            _ => throw Invalid(day, treatment),
        };

        return local is null
            ? new DayPlan(date, ToInstants(baseHours), baseReason, day)
            : new DayPlan(date, ToInstants(local), day.Name, day);
    }

    /// <summary>A wall-clock interval; End is on the next date when the range runs past midnight.</summary>
    private readonly record struct LocalInterval(DateTime Start, DateTime End);

    private static List<LocalInterval> Local(DateOnly date, IReadOnlyList<TimeRange> ranges) =>
        ranges.Select(r => new LocalInterval(
                date.ToDateTime(r.Start),
                (r.EndsNextDay ? date.AddDays(1) : date).ToDateTime(r.End)))
            .ToList();

    /// <summary>The weekly schedule cut at a local time: later intervals go, running ones end there.</summary>
    private static List<LocalInterval> CutAt(List<LocalInterval> intervals, DateTime cut) =>
        intervals.Where(i => i.Start < cut)
            .Select(i => i with { End = i.End < cut ? i.End : cut })
            .ToList();

    private List<OpenInterval> ToInstants(IEnumerable<LocalInterval> intervals) =>
        intervals.Select(i => new OpenInterval(
                LocalBoundaries.StartInstant(timeZone, i.Start),
                LocalBoundaries.EndInstant(timeZone, i.End)))
            .Where(i => i.End > i.Start) // e.g. 02:15–02:45 on the day the clocks skip that hour
            .OrderBy(i => i.Start)
            .ToList();

    private DateTimeOffset StartOfDate(DateOnly date) =>
        LocalBoundaries.StartInstant(timeZone, date.ToDateTime(TimeOnly.MinValue));

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static InvalidOperationException Invalid(CalendarDay day, DayTreatment treatment) =>
        new($"The holiday treatment {treatment} for {day.Name} is invalid; validate the opening rules before evaluating them.");
}
