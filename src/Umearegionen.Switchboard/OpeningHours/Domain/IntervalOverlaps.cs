namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>Finds overlapping intervals on a repeating day or week, for validation messages.</summary>
internal static class IntervalOverlaps
{
    /// <summary>How a range reaches past midnight, for messages: "(24 hours)", "(runs past midnight into Tuesday)".</summary>
    public static string Spill(TimeRange range, string intoNextDay)
    {
        if (range.Start == range.End)
        {
            return range.Start == TimeOnly.MinValue ? " (24 hours)" : $" (24 hours, {intoNextDay})";
        }

        // Ending at midnight does not reach into the next day.
        return range.EndsNextDay && range.End != TimeOnly.MinValue ? $" (runs past midnight {intoNextDay})" : "";
    }

    /// <summary>An interval placed on a repeating cycle (a day or a week), as offsets from its start.</summary>
    public sealed record Placed(string Path, string Label, TimeSpan Start, TimeSpan End);

    /// <summary>
    /// Reports every pair of intervals that overlap on the repeating cycle. Intervals are half-open,
    /// so one may end exactly where another starts.
    /// </summary>
    public static void AddOverlaps(List<Placed> placed, TimeSpan cycle, List<RuleError> errors)
    {
        for (int j = 0; j < placed.Count; j++)
        {
            for (int i = 0; i < j; i++)
            {
                var (a, b) = (placed[i], placed[j]);

                // Shifting by a whole cycle catches an interval that wraps into the next cycle.
                bool overlaps = new[] { -cycle, TimeSpan.Zero, cycle }.Any(shift =>
                    Max(a.Start, b.Start + shift) < Min(a.End, b.End + shift));
                if (overlaps)
                {
                    errors.Add(new(b.Path, $"{b.Label} overlaps {a.Label}. Intervals may meet but not overlap."));
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
