using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// Deviating hours for a date or a range of dates ("Sommartider", "Stängt för utbildningsdag").
/// An exception wins over holiday treatment and the weekly schedule on every date it covers;
/// when several cover a date, the one with the shortest range wins, so a one-day closure can sit
/// inside a summer range.
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
    IReadOnlyList<DayOfWeek>? Weekdays = null)
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
}
