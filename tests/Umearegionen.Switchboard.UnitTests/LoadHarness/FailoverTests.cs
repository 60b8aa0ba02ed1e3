using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class FailoverTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void TheLongestGapIsBetweenConsecutiveOffersWithTheWindowsEndsAsBounds()
    {
        var offers = new[] { S(11), S(10.5), S(14), S(14.2), S(25) };

        var gap = FailoverFigures.LongestGap(offers, S(10), S(20));

        // 11 → 14 is 3 s; 14.2 → the window's end at 20 is 5.8 s; 25 is outside.
        Assert.InRange(gap.Length.TotalSeconds, 5.799, 5.801);
        Assert.Equal(S(14.2), gap.From);
        Assert.Equal(S(20), gap.To);
    }

    [Fact]
    public void AWindowWithoutOffersIsOneGapAsLongAsTheWindow()
    {
        Assert.Equal(S(30), FailoverFigures.LongestGap([S(5), S(45)], S(10), S(40)).Length);
    }

    [Fact]
    public void AGapCountsOnlyFromTheMomentACallWaited()
    {
        // Offers at 10 and 18; no call waits at 10 (the one sent at 9 was offered at 10); the next
        // arrives at 15 and is offered at 18: 3 s of the 8 s gap had a call waiting.
        var offers = new[] { S(10), S(18), S(19) };
        var calls = new (TimeSpan, TimeSpan?)[] { (S(9), S(10)), (S(15), S(18)), (S(18.5), S(19)) };

        var gap = FailoverFigures.LongestGapWhileWaiting(offers, calls, S(10), S(19.5));

        Assert.Equal(S(3), gap.Length);
        Assert.Equal(S(15), gap.From);
        Assert.Equal(S(18), gap.To);
    }

    [Fact]
    public void ACallWaitingWhenTheGapBeganMakesTheWholeGapCount()
    {
        // A call sent at 5 waits until it is offered at 16 (learned from Resync after a reconnect, say).
        var offers = new[] { S(10), S(16) };
        var calls = new (TimeSpan, TimeSpan?)[] { (S(5), S(16)) };

        Assert.Equal(S(6), FailoverFigures.LongestGapWhileWaiting(offers, calls, S(10), S(16)).Length);
    }

    [Fact]
    public void TheLastOffersCallIsNotWaitingAfterIt()
    {
        // Arrivals ended at 40: the offer received at 40 was the last call's; nobody waits after it.
        var calls = new (TimeSpan, TimeSpan?)[] { (S(39.99), S(40)), (S(39.9), S(39.95)) };

        // The longest stretch with a call waiting is 39.9 → 39.95, before the last two offers.
        var waiting = FailoverFigures.LongestGapWhileWaiting([S(39.95), S(40)], calls, S(24), S(94));
        Assert.InRange(waiting.Length.TotalSeconds, 0.049, 0.051);
        Assert.Equal(S(39.95), waiting.To);
        Assert.Equal(S(54), FailoverFigures.LongestGap([S(39.95), S(40)], S(24), S(94)).Length);
    }

    [Fact]
    public void ACallNeverOfferedWaitsUntilTheWindowsEnd()
    {
        var calls = new (TimeSpan, TimeSpan?)[] { (S(12), null) };

        Assert.Equal(S(8), FailoverFigures.LongestGapWhileWaiting([S(10)], calls, S(10), S(20)).Length);
    }

    [Fact]
    public void AGapWithNoCallWaitingCountsNothing()
    {
        Assert.Equal(TimeSpan.Zero, FailoverFigures.LongestGapWhileWaiting([S(10), S(18)], [], S(10), S(18)).Length);
    }

    [Fact]
    public void EveryOperatorIsBackWhenTheLastOfThoseWhoLostTheirConnectionInTheWindowIsBack()
    {
        var outages = new[]
        {
            new Outage("op1", S(60.2), S(61.5)),
            new Outage("op2", S(60.3), S(63.9)),
            new Outage("op2", S(64), S(66)), // lost again: the later return counts
            new Outage("op3", S(20), null), // before the window: not this fault's
        };

        var back = FailoverFigures.OperatorsBack(outages, S(60), S(90));

        Assert.Equal(2, back.Clients);
        Assert.Equal(3, back.Outages);
        Assert.Equal(0, back.NeverBack);
        Assert.InRange(back.AllBackAfter!.Value.TotalSeconds, 5.999, 6.001);
    }

    [Fact]
    public void AnOperatorNeverBackLeavesTheTimeUnknown()
    {
        var back = FailoverFigures.OperatorsBack([new Outage("op1", S(61), S(62)), new Outage("op2", S(61), null)], S(60), S(90));

        Assert.Null(back.AllBackAfter);
        Assert.Equal(1, back.NeverBack);
        Assert.Equal(TimeSpan.Zero, FailoverFigures.OperatorsBack([], S(60), S(90)).AllBackAfter);
    }

    [Fact]
    public void CallsSentInsideAFaultWindowAreLeftOutOfTheOutsideFigures()
    {
        var faults = new[] { new FaultWindow("kill-node", 1, S(60), S(60.1)), new FaultWindow("start-node", 1, S(120), S(127)) };
        var windows = FailoverFigures.Windows(faults, S(30));
        var offers = new[]
        {
            new FirstOffer(S(10), 12, false),
            new FirstOffer(S(59.9), 14, false),
            new FirstOffer(S(60), 4000, true), // at the fault's start: inside
            new FirstOffer(S(90.1), 900, false), // the kill's window ended at 90.1: inside
            new FirstOffer(S(90.2), 16, false),
            new FirstOffer(S(150), 3000, false), // start-node's window runs to 157
            new FirstOffer(S(158), 18, false),
        };

        var (outside, inside) = FailoverFigures.SplitByWindows(offers, windows);

        Assert.Equal([(S(60), S(90.1)), (S(120), S(157))], windows);
        Assert.Equal(4, outside.Summary().Count);
        Assert.InRange(outside.Summary().MaxMs, 17.9, 18.1);
        Assert.Equal(3, inside.Summary().Count);
        Assert.InRange(inside.Summary().MaxMs, 3990, 4010);
    }

    [Fact]
    public void AFaultsOwnWindowEndsWhereTheNextFaultBegins()
    {
        var faults = new[]
        {
            new FaultWindow("kill-node", 1, S(20), S(20.2)), new FaultWindow("start-node", 1, S(40), S(43.8)),
            new FaultWindow("rolling-restart", 0, S(55), S(98)),
        };

        Assert.Equal(S(40), FailoverFigures.WindowEnd(faults, 0, S(30)));
        Assert.Equal(S(55), FailoverFigures.WindowEnd(faults, 1, S(30)));
        Assert.Equal(S(128), FailoverFigures.WindowEnd(faults, 2, S(30)));
    }

    [Fact]
    public void TheLeaderIsTheLastSampleBeforeAMomentAndANewOneTheFirstOtherNodeClaimingIt()
    {
        var samples = new (TimeSpan, int?)[] { (S(58), 1), (S(59), 1), (S(60.5), 0), (S(61.5), 0), (S(62.5), 2), (S(63.5), 2) };

        Assert.Equal(1, FailoverFigures.LeaderAt(samples, S(60)));
        Assert.Equal(2, FailoverFigures.LeaderAt(samples, S(90)));
        Assert.Equal(S(62.5), FailoverFigures.NewLeaderAt(samples, S(60), S(90), 1));
        Assert.Null(FailoverFigures.NewLeaderAt(samples, S(60), S(62), 1)); // after the window
        Assert.Null(FailoverFigures.NewLeaderAt(samples, S(60), S(90), 2));
        Assert.Null(FailoverFigures.LeaderAt([(S(1), null)], S(5)));
    }

    [Theory]
    [InlineData("""{"status":"Healthy","node":"node1","leader":true}""", true)]
    [InlineData("""{"status":"Degraded","node":"node2","leader":false,"checks":[]}""", false)]
    [InlineData("""{"status":"Healthy"}""", null)]
    [InlineData("Healthy", null)]
    [InlineData("", null)]
    [InlineData("{not json", null)]
    public void TheLeaderIsReadFromTheHealthBodyOnlyWhenItSaysSo(string body, bool? leader)
    {
        Assert.Equal(leader, HealthBody.Leader(body));
    }

    [Theory]
    [InlineData(new[] { "received", "offered", "offer_timed_out", "offered", "accepted", "completed" }, false, false)]
    [InlineData(new[] { "received", "offered", "platform_ended" }, false, false)]
    [InlineData(new[] { "received", "offered", "offer_declined", "accepted", "completed" }, false, false)]
    [InlineData(new[] { "received", "offered", "offered", "accepted", "completed" }, true, false)]
    [InlineData(new[] { "received", "offered", "accepted", "offered", "accepted", "completed" }, false, true)]
    public void TwoOffersOpenAtOnceAndASecondAcceptAreFoundInTheEvents(string[] events, bool twoOpen, bool acceptedTwice)
    {
        Assert.Equal((twoOpen, acceptedTwice), HistoryCheck.OfferProblems(events));
    }

    [Fact]
    public void AReconciliationWithDoubledWorkIsNotClean()
    {
        Assert.True(new Reconciliation(10, 10, 0, 0, 0).Clean);
        Assert.False(new Reconciliation(10, 10, 0, 0, 0, TwoOffersOpen: 1).Clean);
        Assert.False(new Reconciliation(10, 10, 0, 0, 0, AcceptedTwice: 1).Clean);
        Assert.False(new Reconciliation(10, 10, 0, 0, 0, DoubledInstructions: 1).Clean);
    }
}
