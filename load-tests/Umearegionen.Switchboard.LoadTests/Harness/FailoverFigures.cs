namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>A fault as it happened: from when the generator began it until it was done (a node ready again), in run time.</summary>
public sealed record FaultWindow(string Kind, int Node, TimeSpan Start, TimeSpan End)
{
    public string Label => Node > 0 ? $"{Kind} node{Node}" : Kind;
}

/// <summary>
/// A call's first offer as an operator's client received it (pushed, or learned from Resync after a
/// reconnect): when its intake was sent, its intake-to-offer, and when it was received (run time; by
/// default sent plus the latency, the generator gives the time it recorded among the offers').
/// </summary>
public sealed record FirstOffer(TimeSpan SentAt, double Ms, bool ViaResync, TimeSpan? Received = null)
{
    public TimeSpan ReceivedAt => Received ?? SentAt + TimeSpan.FromMilliseconds(Ms);
}

/// <summary>An operator client's lost connection: when it noticed, and when it was connected and resynced again (null: never).</summary>
public sealed record Outage(string Client, TimeSpan Lost, TimeSpan? Back);

/// <summary>The longest stretch without an offer: its length, where it began and ended (run time).</summary>
public sealed record OfferGap(TimeSpan Length, TimeSpan From, TimeSpan To);

/// <summary>Which operators lost their connection in a window and when the last of them was back (null: not all came back).</summary>
public sealed record OperatorsBack(int Outages, int Clients, int NeverBack, TimeSpan? AllBackAfter);

/// <summary>
/// The failover figures of a multi-node run (docs/load-tests-failover.md), from what the generator's
/// clients saw: pure functions of run times, so they can be tested without a service.
/// </summary>
public static class FailoverFigures
{
    /// <summary>How long after a fault was done its window lasts: offer gaps and returning operators are looked for in it, and latencies of calls sent in it are "inside".</summary>
    public const double RecoverySeconds = 30;

    /// <summary>
    /// The longest stretch in [from, to] between two consecutive offers received by any operator (the
    /// window's ends count as bounds), counted only from the moment a call was waiting: a call whose
    /// intake was sent and whose first offer had not yet been received. A stretch in which no call
    /// waited counts nothing; one that began with no call waiting counts from the first arrival.
    /// </summary>
    /// <param name="offers">Every offer received (first offers and later ones), any order.</param>
    /// <param name="calls">Each call's intake sent, and its first offer received (null: never).</param>
    public static OfferGap LongestGapWhileWaiting(IEnumerable<TimeSpan> offers, IEnumerable<(TimeSpan Sent, TimeSpan? Offered)> calls,
        TimeSpan from, TimeSpan to)
    {
        var bounds = Bounds(offers, from, to);
        // Only calls that could be waiting somewhere in the window matter.
        var relevant = calls.Where(c => c.Sent <= to && (c.Offered is not { } o || o > from)).OrderBy(c => c.Sent).ToList();
        var best = new OfferGap(TimeSpan.Zero, from, from);
        for (var i = 1; i < bounds.Count; i++)
        {
            var (a, b) = (bounds[i - 1], bounds[i]);
            if (b - a <= best.Length) continue;
            // The first moment in [a, b) at which some call waits: a if one waits at a, else the first arrival after a.
            TimeSpan? waitingFrom = null;
            foreach (var call in relevant)
            {
                if (call.Sent >= b) break;
                var start = call.Sent > a ? call.Sent : a;
                if (call.Offered is { } offered && offered <= start) continue;
                if (waitingFrom is null || start < waitingFrom) waitingFrom = start;
                if (waitingFrom == a) break;
            }

            if (waitingFrom is { } w && b - w > best.Length) best = new OfferGap(b - w, w, b);
        }

        return best;
    }

    /// <summary>The longest stretch in [from, to] between two consecutive offers received (the window's ends count as bounds).</summary>
    public static OfferGap LongestGap(IEnumerable<TimeSpan> offers, TimeSpan from, TimeSpan to)
    {
        var bounds = Bounds(offers, from, to);
        var best = new OfferGap(TimeSpan.Zero, from, from);
        for (var i = 1; i < bounds.Count; i++)
        {
            if (bounds[i] - bounds[i - 1] > best.Length) best = new OfferGap(bounds[i] - bounds[i - 1], bounds[i - 1], bounds[i]);
        }

        return best;
    }

    private static List<TimeSpan> Bounds(IEnumerable<TimeSpan> offers, TimeSpan from, TimeSpan to) =>
        [from, .. offers.Where(o => o > from && o < to).Order(), to];

    /// <summary>
    /// The operators whose connection was lost in [from, until], and how long after <paramref name="from"/>
    /// the last of them was connected and resynced again. A client that lost its connection twice counts
    /// once among the clients, twice among the outages; its later return is the one that counts.
    /// </summary>
    public static OperatorsBack OperatorsBack(IEnumerable<Outage> outages, TimeSpan from, TimeSpan until)
    {
        var inWindow = outages.Where(o => o.Lost >= from && o.Lost <= until).ToList();
        var neverBack = inWindow.Count(o => o.Back is null);
        TimeSpan? allBack = inWindow.Count == 0 ? TimeSpan.Zero
            : neverBack > 0 ? null
            : inWindow.Max(o => o.Back!.Value) - from;
        return new OperatorsBack(inWindow.Count, inWindow.Select(o => o.Client).Distinct(StringComparer.Ordinal).Count(), neverBack, allBack);
    }

    /// <summary>
    /// Intake-to-offer split by whether the call's intake was sent inside one of the windows (each from a
    /// fault's start to its end plus the recovery time) or outside all of them.
    /// </summary>
    public static (LatencyRecorder Outside, LatencyRecorder Inside) SplitByWindows(IEnumerable<FirstOffer> offers,
        IReadOnlyList<(TimeSpan From, TimeSpan To)> windows)
    {
        var outside = new LatencyRecorder("intake-to-offer outside the fault windows");
        var inside = new LatencyRecorder("intake-to-offer inside the fault windows");
        foreach (var offer in offers)
        {
            var within = windows.Any(w => offer.SentAt >= w.From && offer.SentAt <= w.To);
            (within ? inside : outside).Record(TimeSpan.FromMilliseconds(offer.Ms), offer.SentAt);
        }

        return (outside, inside);
    }

    /// <summary>
    /// Where the window of fault i (of faults in order of start) ends for its own figures: its end plus
    /// the recovery time, or the next fault's start if that comes sooner.
    /// </summary>
    public static TimeSpan WindowEnd(IReadOnlyList<FaultWindow> faults, int i, TimeSpan recovery)
    {
        var end = faults[i].End + recovery;
        return i + 1 < faults.Count && faults[i + 1].Start < end ? faults[i + 1].Start : end;
    }

    /// <summary>The windows latencies are judged outside of: each fault from its start to its end plus <paramref name="recovery"/>.</summary>
    public static IReadOnlyList<(TimeSpan From, TimeSpan To)> Windows(IEnumerable<FaultWindow> faults, TimeSpan recovery) =>
        faults.Select(f => (f.Start, f.End + recovery)).ToList();

    /// <summary>
    /// Which node claimed the leadership in the samples of each node's /health/ready (run time → node
    /// number claiming it, 0 none; null when the bodies name no leader): the last sample before
    /// <paramref name="at"/>.
    /// </summary>
    public static int? LeaderAt(IReadOnlyList<(TimeSpan At, int? Leader)> samples, TimeSpan at)
    {
        int? leader = null;
        foreach (var sample in samples)
        {
            if (sample.At > at) break;
            leader = sample.Leader;
        }

        return leader;
    }

    /// <summary>The first sample in [from, until] in which a node other than <paramref name="previous"/> claims the leadership.</summary>
    public static TimeSpan? NewLeaderAt(IReadOnlyList<(TimeSpan At, int? Leader)> samples, TimeSpan from, TimeSpan until, int? previous) =>
        samples.Where(s => s.At >= from && s.At <= until && s.Leader is > 0 && s.Leader != previous).Select(s => (TimeSpan?)s.At).FirstOrDefault();
}
