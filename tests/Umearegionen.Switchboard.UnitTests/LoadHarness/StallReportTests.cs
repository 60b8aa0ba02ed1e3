using Umearegionen.Switchboard.LoadTests.Diagnostics;
using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class StallReportTests
{
    private static SecondSample Second(int second, double p99, long count = 100) => new(second, count, p99);

    private static TimelineEvent At(double seconds, string what) => new(TimeSpan.FromSeconds(seconds), what);

    [Fact]
    public void SlowSecondsCloseTogetherAreOneEpisodeWithTheWorstP99()
    {
        var seconds = new[] { Second(10, 20), Second(11, 900), Second(12, 30), Second(13, 400), Second(14, 20), Second(20, 70) };

        var episodes = StallReport.Find(seconds, 50, []);

        Assert.Equal([(11, 13, 900.0), (20, 20, 70.0)], episodes.Select(e => (e.FromSecond, e.ToSecond, e.WorstP99Ms)));
    }

    [Fact]
    public void SecondsWithTooFewCallsAreNotJudged()
    {
        var episodes = StallReport.Find([Second(5, 2_000, count: StallReport.MinimumSamples - 1)], 50, []);

        Assert.Empty(episodes);
    }

    [Fact]
    public void AnEpisodeListsWhatHappenedFromAFewSecondsBeforeItToItsEnd()
    {
        var events = new[]
        {
            At(5.0, "too early"),
            At(11.5, "autovacuum started: VACUUM ANALYZE public.calls"),
            At(14.2, "service paused 80 ms for a generation-1 garbage collection"),
            At(15.5, "after the end"),
        };

        var episode = Assert.Single(StallReport.Find([Second(14, 800)], 50, events));

        Assert.Equal(["autovacuum started: VACUUM ANALYZE public.calls", "service paused 80 ms for a generation-1 garbage collection"],
            episode.Around.Select(e => e.What));
    }

    [Fact]
    public void ManyEventsOfOneKindAreCountedNotListed()
    {
        var events = Enumerable.Range(0, 6).Select(i => At(10 + i * 0.1, $"service thread pool grew to {20 + i} threads (Starvation)"))
            .Append(At(10.05, "autovacuum started: VACUUM public.offers"))
            .OrderBy(e => e.At);

        var condensed = StallReport.Condensed(events).Select(e => e.What).ToList();

        Assert.Equal(["service thread pool grew to 20 threads (Starvation) (and 5 more like it until 10.5 s)", "autovacuum started: VACUUM public.offers"],
            condensed);
    }

    [Fact]
    public void ARunWithoutSlowSecondsSaysSo()
    {
        var text = StallReport.Markdown(StallReport.Find([Second(1, 10)], 50, []), 50);

        Assert.Contains("No second had p99 intake-to-offer over 50 ms", text);
    }
}

public sealed class TimelineRecorderTests
{
    [Fact]
    public void PausesAddUpPerSecondAndOnlyLongOnesAreNamed()
    {
        var timeline = new TimelineRecorder();

        timeline.ServicePause(TimeSpan.FromSeconds(3.1), TimeSpan.FromMilliseconds(10), 0);
        timeline.ServicePause(TimeSpan.FromSeconds(3.7), TimeSpan.FromMilliseconds(60), 1);

        var series = Assert.Single(timeline.AllSeries());
        Assert.Equal((TimelineRecorder.Series.ServicePause, "ms"), (series.Title, series.Unit));
        Assert.Equal([(3, 70.0)], series.Points);
        Assert.Equal(["service paused 60 ms for a generation-1 garbage collection"], timeline.Events().Select(e => e.What));
    }

    [Fact]
    public void OnlyThreadsAddedForStarvationOrBlockingAreNamed()
    {
        var timeline = new TimelineRecorder();

        timeline.ServiceThreadPool(TimeSpan.FromSeconds(1), 4, "Warmup");
        timeline.ServiceThreadPool(TimeSpan.FromSeconds(2), 5, "Starvation");

        Assert.Equal(["service thread pool grew to 5 threads (Starvation)"], timeline.Events().Select(e => e.What));
    }

    [Fact]
    public void MachineCpuIsReadFromTheFirstLineOfProcStat()
    {
        // user nice system idle iowait irq softirq steal
        var cpu = GeneratorAndMachineSampler.MachineCpu.Parse("cpu  100 0 50 800 50 0 0 0 0 0");

        Assert.Equal(new GeneratorAndMachineSampler.MachineCpu(150, 1000), cpu);
    }
}

public sealed class DatabaseWaitSummaryTests
{
    [Fact]
    public void WaitsAreCountedByKindMostCommonFirstAndTheRestAreWorking()
    {
        var waits = new[] { "IO: WALSync", "LWLock: WALWrite", "LWLock: WALWrite", "Lock: transactionid", "LWLock: WALWrite" };

        var summary = DatabaseSampler.WaitSummary(12, waits);

        Assert.Equal("5 waiting (LWLock: WALWrite ×3, IO: WALSync ×1, Lock: transactionid ×1), 7 working", summary);
    }

    [Fact]
    public void StatementsWithNoWaitAreAllWorking()
    {
        Assert.Equal("none waiting, 25 working", DatabaseSampler.WaitSummary(25, []));
    }
}
