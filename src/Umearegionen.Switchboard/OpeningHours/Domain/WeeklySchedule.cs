namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// The ordinary week: any number of intervals per weekday (lunch closures, split shifts). An
/// interval belongs to the day it starts on, even when it runs past midnight.
/// </summary>
public sealed record WeeklySchedule
{
    public IReadOnlyList<TimeRange> Monday { get; init; } = [];
    public IReadOnlyList<TimeRange> Tuesday { get; init; } = [];
    public IReadOnlyList<TimeRange> Wednesday { get; init; } = [];
    public IReadOnlyList<TimeRange> Thursday { get; init; } = [];
    public IReadOnlyList<TimeRange> Friday { get; init; } = [];
    public IReadOnlyList<TimeRange> Saturday { get; init; } = [];
    public IReadOnlyList<TimeRange> Sunday { get; init; } = [];

    /// <summary>Never open by the week (exceptions or holiday hours may still open it).</summary>
    public static WeeklySchedule AlwaysClosed { get; } = new();

    public static WeeklySchedule MondayToFriday(params IReadOnlyList<TimeRange> hours) =>
        new() { Monday = hours, Tuesday = hours, Wednesday = hours, Thursday = hours, Friday = hours };

    public static WeeklySchedule EveryDay(params IReadOnlyList<TimeRange> hours) =>
        MondayToFriday(hours) with { Saturday = hours, Sunday = hours };

    public IReadOnlyList<TimeRange> For(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => Monday,
        DayOfWeek.Tuesday => Tuesday,
        DayOfWeek.Wednesday => Wednesday,
        DayOfWeek.Thursday => Thursday,
        DayOfWeek.Friday => Friday,
        DayOfWeek.Saturday => Saturday,
        DayOfWeek.Sunday => Sunday,
        _ => throw new ArgumentOutOfRangeException(nameof(day), day, "Not a day of the week."),
    };
}
