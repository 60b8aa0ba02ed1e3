using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// Deviating hours for a date or a range of dates ("Sommartider", "Stängt för utbildningsdag").
/// When several cover a date, the one with the shortest range wins, so a one-day closure can sit
/// inside a summer range. The winner replaces the weekly schedule; against the holiday policy:
/// <list type="bullet">
/// <item>a closed exception always applies (a holiday cannot reopen a unit that is closed);</item>
/// <item>an exception with hours yields on a public holiday, eve or day before a holiday, unless
/// <see cref="OverridesHolidays"/> is set or the policy treats that day as normal. So "Sommartider"
/// does not open midsommarafton, while a one-off "Öppet julafton 09–12" sets the flag. When the
/// policy closes early on such a day, the exception's hours are cut at that time.</item>
/// </list>
/// </summary>
/// <param name="From">First date covered.</param>
/// <param name="To">Last date covered (inclusive).</param>
/// <param name="Closed">Closed all day on covered dates.</param>
/// <param name="Hours">Opening hours on each covered date when not closed.</param>
/// <param name="Reason">Shown to operators as the reason for the deviation.</param>
/// <param name="Weekdays">
/// Optional: only dates on these weekdays are covered; other dates in the range keep their normal
/// treatment. Null covers every date. Lets "summer hours Monday–Friday" leave weekends alone.
/// </param>
public sealed record DateException(
    DateOnly From,
    DateOnly To,
    bool Closed,
    IReadOnlyList<TimeRange> Hours,
    string Reason,
    [property: JsonConverter(typeof(WeekdaysConverter))] IReadOnlyList<DayOfWeek>? Weekdays = null,
    bool OverridesHolidays = false)
{
    /// <summary>Number of dates in the range; the shorter range wins where exceptions overlap.</summary>
    [JsonIgnore]
    public int LengthInDays => To.DayNumber - From.DayNumber + 1;

    public bool Covers(DateOnly date) =>
        From <= date && date <= To && (Weekdays is null || Weekdays.Contains(date.DayOfWeek));

    public static DateException ClosedOn(DateOnly from, DateOnly to, string reason) =>
        new(from, to, Closed: true, [], reason);

    public static DateException OpenOn(DateOnly from, DateOnly to, string reason, params IReadOnlyList<TimeRange> hours) =>
        new(from, to, Closed: false, hours, reason);

    /// <summary>Hours that apply even on a holiday or eve, e.g. "Öppet julafton 09–12".</summary>
    public static DateException OpenEvenOnHolidays(DateOnly from, DateOnly to, string reason, params IReadOnlyList<TimeRange> hours) =>
        new(from, to, Closed: false, hours, reason, OverridesHolidays: true);
}
