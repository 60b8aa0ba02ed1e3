using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class ReportTests
{
    [Fact]
    public void RecorderGivesPercentilesOfWhatWasRecorded()
    {
        var recorder = new LatencyRecorder("intake-to-offer");
        for (var ms = 1; ms <= 100; ms++)
        {
            recorder.Record(TimeSpan.FromMilliseconds(ms), TimeSpan.FromSeconds(ms / 50));
        }

        var summary = recorder.Summary();

        Assert.Equal(100, summary.Count);
        Assert.InRange(summary.P50Ms, 49.9, 50.1);
        Assert.InRange(summary.P99Ms, 98.9, 99.1);
        Assert.InRange(summary.MaxMs, 99.9, 100.1);
        Assert.Equal([0, 1, 2], recorder.PerSecond().Select(s => s.Second));
        Assert.Equal(100, recorder.PerSecond().Sum(s => s.Count));
    }

    [Fact]
    public void ReportFailsOnAnyErrorOrUnreconciledCall()
    {
        var clean = new Reconciliation(10, 10, 0, 0, 0);
        var lost = new Reconciliation(10, 9, 1, 0, 0);

        Assert.True(Report(clean, []).Passed);
        Assert.False(Report(lost, []).Passed);
        Assert.False(Report(clean, [new("intake: 503", 1)]).Passed);
        Assert.False(Report(null, []).Passed);
    }

    [Fact]
    public void MarkdownAndHtmlCarryTheFiguresAndCharts()
    {
        var report = Report(new Reconciliation(3, 3, 0, 0, 0), [new("accept: timeout", 2)]);

        var markdown = ReportWriter.Markdown(report);
        var html = ReportWriter.Html(report);

        Assert.Contains("| intake-to-offer | 3 |", markdown);
        Assert.Contains("| accept: timeout | 2 |", markdown);
        Assert.Contains("found exactly once 3", markdown);
        Assert.Contains("<svg", html);
        Assert.Contains("<td>accept: timeout</td>", html);
        Assert.Contains("charset=\"utf-8\"", html);
    }

    private static RunReport Report(Reconciliation? reconciliation, List<KeyValuePair<string, long>> errors)
    {
        var latency = new LatencyRecorder("intake-to-offer");
        latency.Record(TimeSpan.FromMilliseconds(5), TimeSpan.Zero);
        latency.Record(TimeSpan.FromMilliseconds(7), TimeSpan.FromSeconds(1));
        latency.Record(TimeSpan.FromMilliseconds(9), TimeSpan.FromSeconds(2));
        return new RunReport("ordinary weekday", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(3), 3,
            [new SecondSample(0, 1, 0), new SecondSample(1, 1, 0), new SecondSample(2, 1, 0)],
            [latency], errors, reconciliation, new Dictionary<string, string> { ["operators"] = "100" });
    }
}
