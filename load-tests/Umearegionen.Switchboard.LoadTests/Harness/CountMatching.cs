namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>
/// Matches a dashboard's running count of calls with the calls it counts: the n-th counted call is the
/// n-th intake the service confirmed. Each call is attributed to the first snapshot whose count reaches
/// it; a count that goes down (a restarted service recounting) never attributes a call twice.
/// </summary>
public static class CountMatching
{
    /// <summary>(sent, seen) pairs in timestamps: sentAt(n) gives when the n-th confirmed intake (1-based) was sent.</summary>
    public static IEnumerable<(long SentAt, long SeenAt)> Match(IEnumerable<(long At, int Count)> snapshots, Func<int, long?> sentAt)
    {
        var counted = 0;
        foreach (var (seenAt, count) in snapshots)
        {
            for (var n = counted + 1; n <= count; n++)
            {
                if (sentAt(n) is { } sent && seenAt > sent) yield return (sent, seenAt);
            }

            counted = Math.Max(counted, count);
        }
    }
}
