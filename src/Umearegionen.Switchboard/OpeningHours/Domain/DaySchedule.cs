namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>A period of real time when a unit is open, half-open: [Start, End).</summary>
public sealed record OpenInterval(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset instant) => Start <= instant && instant < End;
}

/// <summary>The opening intervals that start on one local date.</summary>
/// <param name="Date">The local date.</param>
/// <param name="Intervals">
/// Intervals starting on the date, sorted, as instants with the zone's offset. An interval may
/// run into the next date; the previous date's overnight interval is not repeated here.
/// </param>
/// <param name="Deviates">True when the intervals differ from what the weekly schedule alone gives.</param>
/// <param name="Reason">
/// Why a rule other than the weekly schedule decided the day: the exception's reason or the
/// calendar day's name (e.g. "Midsommarafton"). Null when the weekly schedule applies. It can be
/// set while <paramref name="Deviates"/> is false, e.g. a holiday on a day that is closed anyway.
/// </param>
/// <param name="CalendarDay">The special day in the Swedish calendar, if any, even when treated normally.</param>
public sealed record DaySchedule(
    DateOnly Date,
    IReadOnlyList<OpenInterval> Intervals,
    bool Deviates,
    string? Reason,
    CalendarDay? CalendarDay);
