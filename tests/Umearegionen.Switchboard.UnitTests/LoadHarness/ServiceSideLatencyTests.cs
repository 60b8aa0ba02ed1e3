using Umearegionen.Switchboard.LoadTests.Diagnostics;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class ServiceSideLatencyTests
{
    private static readonly DateTime T0 = new(2026, 12, 5, 2, 0, 0, DateTimeKind.Utc);

    private static readonly Dictionary<string, (string, MeasuredOffer?)> Placed = new()
    {
        ["a"] = ("warm-up", Measured(20)), ["b"] = ("200/s", Measured(15)), ["c"] = ("200/s", null),
    };

    private static MeasuredOffer Measured(double ms) => new(ms, T0, T0.AddMilliseconds(ms));

    private static (string Phase, MeasuredOffer? Measured)? Phases(string platformCallId) =>
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
    public void OutsideIsSplitIntoBeforeTheIntakeReadTheClockAndAfterTheOfferWasCommitted()
    {
        // b: sent at T0, the intake read the clock 4 ms later, its offer (on arrival) committed at 6 ms,
        // the operator's client had it at 15 ms. a: the same from 9 ms, by the dispatcher.
        ServiceCallTimes[] calls =
        [
            new("b", ToRoundMs: 0, IntakeStoredMs: 2, OfferStoredMs: 2, OnArrival: true,
                QueuedAtUtc: T0.AddMilliseconds(4), OfferCommittedUtc: T0.AddMilliseconds(6)),
            new("a", ToRoundMs: 5, IntakeStoredMs: 1, OfferStoredMs: 1,
                QueuedAtUtc: T0.AddMilliseconds(9), OfferCommittedUtc: T0.AddMilliseconds(15)),
            new("c", ToRoundMs: 30, IntakeStoredMs: 10, OfferStoredMs: 20,
                QueuedAtUtc: T0, OfferCommittedUtc: T0.AddMilliseconds(50)),
        ];

        var rows = ServiceSideLatency.Summarise(calls, Phases, ["warm-up", "200/s"]);
        var markdown = ServiceSideLatency.Markdown(true, rows);

        var steady = rows.Where(r => r.Phase == "200/s").ToDictionary(r => r.Summary.Name, r => r.Summary);
        var warmUp = rows.Where(r => r.Phase == "warm-up").ToDictionary(r => r.Summary.Name, r => r.Summary);
        // c had no offer seen by the generator, so only b counts in 200/s.
        Assert.Equal((1L, 4.0), (steady[ServiceSideLatency.BeforeIntake].Count, Math.Round(steady[ServiceSideLatency.BeforeIntake].MaxMs, 1)));
        Assert.Equal((1L, 9.0), (steady[ServiceSideLatency.AfterOffer].Count, Math.Round(steady[ServiceSideLatency.AfterOffer].MaxMs, 1)));
        Assert.Equal(9.0, Math.Round(warmUp[ServiceSideLatency.BeforeIntake].MaxMs, 1));
        Assert.Equal(5.0, Math.Round(warmUp[ServiceSideLatency.AfterOffer].MaxMs, 1));
        Assert.Contains("the commit waits for the log's flush to disk, so that wait counts in \"after\"", markdown);
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
