using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

/// <summary>
/// A simulated platform that fell behind gets a poll of up to 500 instructions, whose events can be twice as many
/// (a transfer reports two) and whose held acknowledgements can pass 5,000: it reports them in as many reports as
/// the service's limits need, never one it would reject (docs/telephony.md, the platform's report).
/// </summary>
public sealed class SimulatedPlatformReportTests
{
    private static (long Seq, List<PlatformEvent> Events) Transfer(long seq) =>
        (seq, [new PlatformEvent("call-" + seq, "seq-" + seq, PlatformEventTypes.Transferred, InstructionSeq: seq),
               new PlatformEvent("call-" + seq, "seq-" + seq + "-end", PlatformEventTypes.Ended, InstructionSeq: seq)]);

    [Fact]
    public void APollOf500TransfersIsReportedInReportsOfAtMost500EventsEachInstructionWithItsEvents()
    {
        var work = Enumerable.Range(1, 500).Select(i => Transfer(i)).ToList();

        var reports = SimulatedPlatform.Reports([], work);

        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.InRange(r.Events.Count, 1, PlatformReport.MaxEvents));
        Assert.Equal(work.Select(w => w.Seq), reports.SelectMany(r => r.Acknowledge));
        Assert.All(reports, r => Assert.Equal(r.Acknowledge.Order(), r.Events.Select(e => e.InstructionSeq!.Value).Distinct().Order()));
    }

    [Fact]
    public void HeldAcknowledgementsBeyondTheLimitGoInReportsOfTheirOwnBeforeThePollsWork()
    {
        var held = Enumerable.Range(1, 12_000).Select(i => (long)i).ToList();
        var work = new List<(long Seq, List<PlatformEvent> Events)> { Transfer(20_000) };

        var reports = SimulatedPlatform.Reports(held, work);

        Assert.Equal([5000, 5000, 2001], reports.Select(r => r.Acknowledge.Count));
        Assert.Equal([.. held, 20_000], reports.SelectMany(r => r.Acknowledge));
        Assert.Equal(2, reports[^1].Events.Count);
    }

    [Fact]
    public void WorkWithinTheLimitsIsOneReport()
    {
        var reports = SimulatedPlatform.Reports([7, 8], [Transfer(9), (10, [])]);

        var only = Assert.Single(reports);
        Assert.Equal([7, 8, 9, 10], only.Acknowledge);
        Assert.Equal(2, only.Events.Count);
    }
}
