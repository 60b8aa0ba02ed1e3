namespace Umearegionen.Switchboard.Statistics;

/// <summary>The counts and sums one group of calls adds up to, as the summary SQL returns them.</summary>
public sealed record MetricCounts(
    string Key, int Offered, int Answered, int Abandoned, int ShortAbandoned, int AnsweredWithinTarget,
    long AnsweredWaitSum, long HandleSum, int? WaitP90, int AnsweredDirect, int Transferred, int Callbacks,
    int CallbacksKept, int CallbacksMissed, int Messages, int FaultReports, int BounceBacks, int ClosedDestinations)
{
    public static MetricCounts Empty(string key) => new(key, 0, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>The figures of one group of calls, with the ratios worked out. Definitions: docs/metrics.md.</summary>
public sealed record Metrics(
    int Offered, int Answered, int Abandoned, int ShortAbandoned, int AnsweredWithinTarget,
    double? ServiceLevel, double? AnswerRate, double? AverageSpeedOfAnswerSeconds, int? SpeedOfAnswerP90Seconds,
    double? AverageHandleSeconds, int AnsweredBySwitchboard, int Transferred, int CallbacksBooked, int CallbacksKept,
    int CallbacksMissed, int Messages, int FaultReports, int BounceBacks, double? BounceBackRate,
    int ClosedDestinations, double? Occupancy)
{
    public static Metrics From(MetricCounts c, double? occupancy = null)
    {
        // Service level: answered in time out of answered plus abandoned after the short-abandon limit.
        var slDenominator = c.Answered + c.Abandoned - c.ShortAbandoned;
        return new Metrics(
            c.Offered, c.Answered, c.Abandoned, c.ShortAbandoned, c.AnsweredWithinTarget,
            Ratio(c.AnsweredWithinTarget, slDenominator),
            Ratio(c.Answered, c.Offered),
            Average(c.AnsweredWaitSum, c.Answered),
            c.Answered == 0 ? null : c.WaitP90,
            Average(c.HandleSum, c.Answered),
            c.AnsweredDirect, c.Transferred, c.Callbacks, c.CallbacksKept, c.CallbacksMissed, c.Messages, c.FaultReports,
            c.BounceBacks, Ratio(c.BounceBacks, c.Transferred),
            c.ClosedDestinations,
            occupancy is null ? null : Math.Round(occupancy.Value, 4));
    }

    public static double? Ratio(long part, long whole) => whole <= 0 ? null : Math.Round((double)part / whole, 4);

    private static double? Average(long sum, long count) => count <= 0 ? null : Math.Round((double)sum / count, 1);
}

/// <summary>Occupancy: time spent handling calls (including wrap-up) out of time staffed (available or in wrap-up).</summary>
public static class Occupancy
{
    public static double? Of(double handledSeconds, double staffedSeconds) =>
        staffedSeconds <= 0 ? null : handledSeconds / staffedSeconds;
}
