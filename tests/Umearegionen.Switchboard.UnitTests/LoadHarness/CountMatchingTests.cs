using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class CountMatchingTests
{
    // The n-th confirmed intake was sent at 10·n.
    private static long? SentAt(int n) => n <= 5 ? 10L * n : null;

    [Fact]
    public void EachCountedCallIsMatchedWithTheFirstSnapshotThatCountsIt()
    {
        var matched = CountMatching.Match([(25, 2), (47, 2), (60, 4)], SentAt).ToList();

        Assert.Equal([(10L, 25L), (20L, 25L), (30L, 60L), (40L, 60L)], matched);
    }

    [Fact]
    public void ACountThatDropsAndRisesAgainDoesNotCountACallTwice()
    {
        var matched = CountMatching.Match([(25, 2), (30, 0), (35, 1), (70, 3)], SentAt).ToList();

        Assert.Equal([(10L, 25L), (20L, 25L), (30L, 70L)], matched);
    }

    [Fact]
    public void CallsTheGeneratorDidNotConfirmOrSawBeforeSendingAreLeftOut()
    {
        // Count 7 but only 5 confirmed; the snapshot at 45 cannot show the call sent at 50.
        var matched = CountMatching.Match([(45, 5), (100, 7)], SentAt).ToList();

        Assert.Equal([(10L, 45L), (20L, 45L), (30L, 45L), (40L, 45L)], matched);
    }
}
