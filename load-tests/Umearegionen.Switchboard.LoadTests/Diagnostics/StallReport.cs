using System.Text;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>A stretch of seconds whose p99 intake-to-offer was over the target, with what happened from a little before.</summary>
public sealed record SlowEpisode(int FromSecond, int ToSecond, double WorstP99Ms, IReadOnlyList<TimelineEvent> Around);

/// <summary>
/// Finds the slow stretches of a run and lists beside each what the timeline recorded from a few
/// seconds before it: the question after a bad second is always "what else happened then?".
/// </summary>
public static class StallReport
{
    /// <summary>Seconds with fewer measurements than this are not judged (one late call is not a stall).</summary>
    public const int MinimumSamples = 5;

    /// <summary>Slow seconds this close together are one episode.</summary>
    public const int MergeGapSeconds = 2;

    /// <summary>How far before an episode its causes are looked for (a pause delays what follows it).</summary>
    public const int LeadSeconds = 3;

    public static IReadOnlyList<SlowEpisode> Find(IReadOnlyList<SecondSample> p99PerSecond, double targetMs, IReadOnlyList<TimelineEvent> events)
    {
        var slow = p99PerSecond.Where(s => s.Count >= MinimumSamples && s.P99Ms > targetMs).OrderBy(s => s.Second).ToList();
        var episodes = new List<SlowEpisode>();
        var i = 0;
        while (i < slow.Count)
        {
            var from = slow[i].Second;
            var to = from;
            var worst = slow[i].P99Ms;
            while (i + 1 < slow.Count && slow[i + 1].Second - to <= MergeGapSeconds)
            {
                i++;
                to = slow[i].Second;
                worst = Math.Max(worst, slow[i].P99Ms);
            }

            var around = events.Where(e => e.At >= TimeSpan.FromSeconds(from - LeadSeconds) && e.At < TimeSpan.FromSeconds(to + 1))
                .OrderBy(e => e.At).ToList();
            episodes.Add(new SlowEpisode(from, to, worst, around));
            i++;
        }

        return episodes;
    }

    /// <summary>The episodes as Markdown, the worst first; repeated events of one kind are counted, not listed.</summary>
    public static string Markdown(IReadOnlyList<SlowEpisode> episodes, double targetMs, int maxEpisodes = 8, int maxEventsEach = 12)
    {
        var md = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        if (episodes.Count == 0)
        {
            md.AppendLine(invariant, $"No second had p99 intake-to-offer over {targetMs:0} ms.");
            return md.ToString();
        }

        md.AppendLine(invariant, $"{episodes.Count} stretch(es) of seconds with p99 intake-to-offer over {targetMs:0} ms " +
                                 $"(seconds after the generator started; events from {LeadSeconds} s before each):");
        md.AppendLine();
        foreach (var e in episodes.OrderByDescending(e => e.WorstP99Ms).Take(maxEpisodes).OrderBy(e => e.FromSecond))
        {
            var nothing = e.Around.Count == 0 ? " nothing recorded in the service's runtime, the generator's or the database." : "";
            md.AppendLine(invariant, $"- **{e.FromSecond}–{e.ToSecond + 1} s**, worst p99 {e.WorstP99Ms:0} ms:{nothing}");
            foreach (var x in Condensed(e.Around).Take(maxEventsEach))
            {
                md.AppendLine(invariant, $"  - {x.At.TotalSeconds:0.0} s: {x.What}");
            }
        }

        if (episodes.Count > maxEpisodes) md.AppendLine(invariant, $"- … and {episodes.Count - maxEpisodes} milder stretches.");
        return md.ToString();
    }

    /// <summary>More than three events of one kind become the first of them with a count.</summary>
    internal static IEnumerable<TimelineEvent> Condensed(IEnumerable<TimelineEvent> events) =>
        events.GroupBy(x => Kind(x.What))
            .SelectMany(g =>
            {
                var all = g.OrderBy(x => x.At).ToList();
                return all.Count <= 3
                    ? all
                    : [all[0] with { What = string.Create(CultureInfo.InvariantCulture,
                        $"{all[0].What} (and {all.Count - 1} more like it until {all[^1].At.TotalSeconds:0.0} s)") }];
            })
            .OrderBy(x => x.At);

    /// <summary>Events of one kind share their words before the first number.</summary>
    private static string Kind(string what)
    {
        var digit = what.IndexOfAny("0123456789".ToCharArray());
        return digit < 0 ? what : what[..digit];
    }
}
