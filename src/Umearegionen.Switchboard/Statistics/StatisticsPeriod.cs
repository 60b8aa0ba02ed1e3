namespace Umearegionen.Switchboard.Statistics;

/// <summary>A range of local (Europe/Stockholm) dates, both ends included.</summary>
public readonly record struct StatisticsPeriod(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>
    /// The period just before, of the same length: whole calendar months compare with the same
    /// number of whole months before (March with February), anything else with as many days before.
    /// </summary>
    public StatisticsPeriod Previous()
    {
        if (IsWholeMonths(out var months))
        {
            var start = From.AddMonths(-months);
            return new StatisticsPeriod(start, From.AddDays(-1));
        }

        return new StatisticsPeriod(From.AddDays(-Days), From.AddDays(-1));
    }

    private bool IsWholeMonths(out int months)
    {
        months = (To.Year * 12 + To.Month) - (From.Year * 12 + From.Month) + 1;
        return From.Day == 1 && To.AddDays(1).Day == 1;
    }
}

/// <summary>What a summary is broken down by.</summary>
public static class Dimensions
{
    public const string None = "none";
    public const string Municipality = "municipality";
    public const string Unit = "unit";
    public const string Topic = "topic";
    public const string Operator = "operator";
    public const string Hour = "hour";
    public const string Weekday = "weekday";
    public const string Day = "day";
    public const string Month = "month";
    public const string WrapUpCategory = "wrapUpCategory";

    public static readonly IReadOnlyList<string> All = [None, Municipality, Unit, Topic, Operator, Hour, Weekday, Day, Month, WrapUpCategory];

    /// <summary>Rows of these dimensions mean the same thing in the previous period, so they are compared row by row.</summary>
    public static bool ComparesRowByRow(string by) => Parts(by).All(p => p is not (Day or Month));

    /// <summary>Where a slice's figures come from (SummaryQueries).</summary>
    public enum Source
    {
        /// <summary>The daily rollup per municipality (call_daily): totals, municipality, day, month, weekday.</summary>
        Daily,

        /// <summary>The daily slice rollup (call_slices): one of unit, topic, operator, hour, wrapUpCategory, alone or with a date or municipality part.</summary>
        Slices,

        /// <summary>The daily slice rollup's pairs (call_slices, dimension 'unit,topic'): the pairs in <see cref="RolledUpPairs"/>, in either order.</summary>
        Pairs,

        /// <summary>The per-call facts: the other pairs of unit, topic, operator, hour and wrapUpCategory (and every slice, for the tests' comparisons).</summary>
        Facts,
    }

    private static readonly string[] SliceParts = [Unit, Topic, Operator, Hour, WrapUpCategory];

    private static bool IsSlice(string part) => SliceParts.Contains(part);

    /// <summary>
    /// The pairs of slices kept as a rollup (call_fact_slice_keys.sql), in the rollup's order; the other pairs read the
    /// per-call facts (each more pair would add to the flush's WAL for every call: docs/metrics.md "Two slices at once").
    /// </summary>
    public static readonly IReadOnlyList<string> RolledUpPairs = [$"{Unit},{Topic}"];

    public static Source SourceOf(string by) => Parts(by).Count(IsSlice) switch
    {
        0 => Source.Daily,
        1 => Source.Slices,
        _ => RolledUpPairs.Contains(InRollupOrder(by)) ? Source.Pairs : Source.Facts,
    };

    private static string InRollupOrder(string by) => string.Join(',', Parts(by).OrderBy(p => Array.IndexOf(SliceParts, p)));

    /// <summary>
    /// The slice rollup's dimension a slice reads: unit, topic, operator, hour or wrapUpCategory, or a pair of them
    /// in the rollup's order (unit, topic, operator, hour, wrapUpCategory: "topic,unit" reads "unit,topic"); null for the daily rollup.
    /// </summary>
    public static string? SliceDimension(string by) => SourceOf(by) switch
    {
        Source.Slices => Parts(by).Single(IsSlice),
        Source.Pairs => InRollupOrder(by),
        _ => null,
    };

    /// <summary>A pair asked for in the other order than the rollup keeps it ("topic,unit").</summary>
    public static bool IsReversedPair(string by) => SourceOf(by) == Source.Pairs && SliceDimension(by) != by;

    /// <summary>These are answered from a rollup; the others read the per-call facts.</summary>
    public static bool FromRollup(string by) => SourceOf(by) != Source.Facts;

    /// <summary>One dimension, or two separated by a comma ("municipality,month"): rows for each pair.</summary>
    public static IReadOnlyList<string> Parts(string by) => by.Split(',');

    /// <summary>The slice as asked for, checked and normalised; null (with the error added) when it is not one.</summary>
    public static string? Parse(string? by, Platform.FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(by))
        {
            return None;
        }

        // Case does not matter (wrapupcategory is wrapUpCategory); the answer names the slice as All does.
        var parts = by.Split(',', StringSplitOptions.TrimEntries)
            .Select(p => All.FirstOrDefault(a => a.Equals(p, StringComparison.OrdinalIgnoreCase)) ?? p.ToLowerInvariant()).ToArray();
        if (parts.Length > 2 || parts.Any(p => !All.Contains(p)) || (parts.Length == 2 && (parts[0] == parts[1] || parts.Contains(None))))
        {
            errors.Add("by", $"by \"{by}\" is not a slice; use one of {string.Join(", ", All)}, or two of them separated by a comma (for example municipality,month).");
            return null;
        }

        return string.Join(',', parts);
    }
}
