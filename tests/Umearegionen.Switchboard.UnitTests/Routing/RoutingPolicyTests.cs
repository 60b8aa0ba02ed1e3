using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.UnitTests.Routing;

public sealed class RoutingPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);

    private static WaitingCall Call(int waitedSeconds, int priority = 0) => new(Guid.NewGuid(), priority, Now.AddSeconds(-waitedSeconds));

    private static FreeOperator MainOperator(int idleSeconds) => new(Guid.NewGuid(), false, Now.AddSeconds(-idleSeconds));

    private static FreeOperator CoverOperator(int idleSeconds) => new(Guid.NewGuid(), true, Now.AddSeconds(-idleSeconds));

    [Fact]
    public void CallGoesToTheMainOperatorIdleLongest()
    {
        var call = Call(1);
        var shortIdle = MainOperator(5);
        var longIdle = MainOperator(50);

        var offers = RoutingPolicy.Assign([call], [shortIdle, longIdle], true, Threshold, Now);

        Assert.Equal([new Assignment(call.Id, longIdle.Id)], offers);
    }

    [Fact]
    public void QueueIsServedByPriorityThenByTimeWaited()
    {
        var old = Call(30);
        var older = Call(40);
        var urgent = Call(1, priority: 3);
        var a = MainOperator(30);
        var b = MainOperator(20);
        var c = MainOperator(10);

        var offers = RoutingPolicy.Assign([old, older, urgent], [c, b, a], true, Threshold, Now);

        Assert.Equal([new Assignment(urgent.Id, a.Id), new Assignment(older.Id, b.Id), new Assignment(old.Id, c.Id)], offers);
    }

    [Fact]
    public void CoverIsNotOfferedACallBelowTheThresholdWhileTheMainTeamIsOnDuty()
    {
        var offers = RoutingPolicy.Assign([Call(59)], [CoverOperator(100)], true, Threshold, Now);

        Assert.Empty(offers);
    }

    [Fact]
    public void CoverIsOfferedACallThatHasWaitedPastTheThreshold()
    {
        var call = Call(60);
        var cover = CoverOperator(1);

        var offers = RoutingPolicy.Assign([call], [cover], true, Threshold, Now);

        Assert.Equal([new Assignment(call.Id, cover.Id)], offers);
    }

    [Fact]
    public void CoverIsOfferedAtOnceWhenNoMainOperatorIsOnDuty()
    {
        var call = Call(0);
        var cover = CoverOperator(1);

        var offers = RoutingPolicy.Assign([call], [cover], false, Threshold, Now);

        Assert.Equal([new Assignment(call.Id, cover.Id)], offers);
    }

    [Fact]
    public void MainOperatorIsPreferredEvenWhenACoverOperatorHasBeenIdleLongerAndTheCallIsOld()
    {
        var call = Call(600);
        var main = MainOperator(1);

        var offers = RoutingPolicy.Assign([call], [CoverOperator(1000), main], true, Threshold, Now);

        Assert.Equal([new Assignment(call.Id, main.Id)], offers);
    }

    [Fact]
    public void OlderLowerPriorityCallMayGoToCoverWhileTheYoungUrgentOneWaitsForMain()
    {
        var urgent = Call(5, priority: 5);
        var old = Call(90);
        var cover = CoverOperator(1);

        var offers = RoutingPolicy.Assign([urgent, old], [cover], true, Threshold, Now);

        Assert.Equal([new Assignment(old.Id, cover.Id)], offers);
    }

    [Fact]
    public void NoOperatorEverGetsTwoCallsAndNoCallTwoOperators()
    {
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var calls = Enumerable.Range(0, random.Next(0, 15)).Select(_ => Call(random.Next(0, 200), random.Next(0, 3))).ToList();
            var operators = Enumerable.Range(0, random.Next(0, 15))
                .Select(_ => random.Next(2) == 0 ? MainOperator(random.Next(0, 100)) : CoverOperator(random.Next(0, 100))).ToList();

            var offers = RoutingPolicy.Assign(calls, operators, random.Next(2) == 0, Threshold, Now);

            Assert.Equal(offers.Count, offers.Select(o => o.CallId).Distinct().Count());
            Assert.Equal(offers.Count, offers.Select(o => o.OperatorId).Distinct().Count());
            Assert.True(offers.Count <= Math.Min(calls.Count, operators.Count));
            // Every free main operator is used while calls remain.
            var mains = operators.Count(o => !o.Cover);
            Assert.True(offers.Count >= Math.Min(mains, calls.Count));
        }
    }

    [Theory]
    [InlineData("090-16 10 00", "+4690161000")]
    [InlineData("+46 90 161 000", "+4690161000")]
    [InlineData("004690161000", "+4690161000")]
    [InlineData("+4690161000", "+4690161000")]
    public void NumbersAreNormalisedToOneForm(string written, string normalised) =>
        Assert.Equal(normalised, PhoneNumbers.Normalise(written));

    [Theory]
    [InlineData("not a number", false)]
    [InlineData("", false)]
    [InlineData("070-123 45 67", true)]
    public void NumbersAreRecognised(string number, bool valid) => Assert.Equal(valid, PhoneNumbers.LooksValid(number));

    [Theory]
    [InlineData("070-123 45 67", true)]
    [InlineData("+46 (0)90 16 10 00", true)]
    [InlineData("090/16.10.00", true)]
    [InlineData(" +4690161000 ", true)]
    [InlineData("abc123", false)]
    [InlineData("070-123 45 67 ankn. 12", false)]
    [InlineData("++4690161000", false)]
    [InlineData("anonymous", false)]
    [InlineData("", false)]
    public void NumbersWrittenWithLettersAreNotNumbers(string number, bool valid) =>
        Assert.Equal(valid, PhoneNumbers.IsWrittenAsNumber(number));
}
