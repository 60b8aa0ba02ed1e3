using Umearegionen.Switchboard.LoadTests.Diagnostics;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class ServiceSideLatencyTests
{
    private static readonly Dictionary<string, (string, double?)> Placed = new()
    {
        ["a"] = ("warm-up", 20), ["b"] = ("200/s", 15), ["c"] = ("200/s", null),
    };

    private static (string Phase, double? MeasuredMs)? Phases(string platformCallId) =>
        Placed.TryGetValue(platformCallId, out var placed) ? placed : null;

    [Fact]
    public void WithCommitTimesEachCallSplitsIntoIntakeWaitForTheRoundAndOfferPerPhase()
    {
        ServiceCallTimes[] calls =
        [
            new("a", ToRoundMs: 10, IntakeStoredMs: 4, OfferStoredMs: 3),
            new("b", ToRoundMs: 6, IntakeStoredMs: 1, OfferStoredMs: 2),
            new("c", ToRoundMs: 30, IntakeStoredMs: 10, OfferStoredMs: 20),
        ];

        var rows = ServiceSideLatency.Summarise(calls, Phases, ["warm-up", "200/s"]);

        var steady = rows.Where(r => r.Phase == "200/s").ToDictionary(r => r.Summary.Name, r => r.Summary);
        Assert.Equal(2, steady[ServiceSideLatency.IntakeStored].Count);
        Assert.Equal(10, steady[ServiceSideLatency.IntakeStored].MaxMs, 1);
        Assert.Equal(20, steady[ServiceSideLatency.WaitForRound].MaxMs, 1);
        Assert.Equal(5, steady[ServiceSideLatency.WaitForRound].P50Ms, 1);
        Assert.Equal(50, steady[ServiceSideLatency.Total].MaxMs, 1);
        Assert.False(steady.ContainsKey(ServiceSideLatency.ToRound));
        // Outside only where the generator saw the offer: call b, 15 ms measured against 8 ms inside.
        Assert.Equal((1L, 7.0), (steady[ServiceSideLatency.Outside].Count, Math.Round(steady[ServiceSideLatency.Outside].MaxMs, 1)));
        Assert.Equal(["warm-up", "warm-up", "warm-up", "warm-up", "warm-up", "200/s", "200/s", "200/s", "200/s", "200/s"], rows.Select(r => r.Phase));
    }

    [Fact]
    public void CallOfferedOnArrivalCountsItsIntakeAsItsWholePartAndNoneOfTheDispatchers()
    {
        ServiceCallTimes[] calls =
        [
            new("b", ToRoundMs: 0, IntakeStoredMs: 3, OfferStoredMs: 3, OnArrival: true),
            new("c", ToRoundMs: 30, IntakeStoredMs: 10, OfferStoredMs: 20),
        ];

        var rows = ServiceSideLatency.Summarise(calls, Phases, ["200/s"]).ToDictionary(r => r.Summary.Name, r => r.Summary);

        Assert.Equal((1L, 3.0), (rows[ServiceSideLatency.OfferedOnArrival].Count, Math.Round(rows[ServiceSideLatency.OfferedOnArrival].MaxMs, 1)));
        Assert.Equal((1L, 10.0), (rows[ServiceSideLatency.IntakeStored].Count, Math.Round(rows[ServiceSideLatency.IntakeStored].MaxMs, 1)));
        Assert.Equal(1L, rows[ServiceSideLatency.WaitForRound].Count);
        Assert.Equal((2L, 50.0), (rows[ServiceSideLatency.Total].Count, Math.Round(rows[ServiceSideLatency.Total].MaxMs, 1)));
        // 15 ms measured by the generator for b, 3 of them inside the service.
        Assert.Equal((1L, 12.0), (rows[ServiceSideLatency.Outside].Count, Math.Round(rows[ServiceSideLatency.Outside].MaxMs, 1)));
    }

    [Fact]
    public void WithoutCommitTimesOnlyTheTimeToTheRoundIsShownAndTheReportSaysWhy()
    {
        ServiceCallTimes[] calls = [new("b", 6, null, null), new("c", 12, null, null)];

        var rows = ServiceSideLatency.Summarise(calls, Phases, ["warm-up", "200/s"]);
        var markdown = ServiceSideLatency.Markdown(false, rows);

        var only = Assert.Single(rows);
        Assert.Equal((ServiceSideLatency.ToRound, 2L), (only.Summary.Name, only.Summary.Count));
        Assert.Contains("track_commit_timestamp is off", markdown);
        Assert.Contains("| 200/s | intake to the dispatcher's round | 2 | 6.0 |", markdown);
    }

    [Fact]
    public void ARoundThatStartedJustBeforeTheIntakeCommittedCountsAsNoWaitAndCallsFromBeforeTheRunAreLeftOut()
    {
        ServiceCallTimes[] calls = [new("b", ToRoundMs: 2, IntakeStoredMs: 3, OfferStoredMs: 1), new("demo-history-1", 5, 1, 1)];

        var rows = ServiceSideLatency.Summarise(calls, Phases, ["200/s"]);

        var wait = rows.Single(r => r.Summary.Name == ServiceSideLatency.WaitForRound).Summary;
        Assert.Equal((1L, 0.001), (wait.Count, wait.MaxMs));
    }
}
