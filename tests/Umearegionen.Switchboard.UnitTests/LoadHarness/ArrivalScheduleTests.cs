using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class ArrivalScheduleTests
{
    private static readonly RatePhase Steady = new("steady", TimeSpan.FromSeconds(60), 100, 100);

    [Fact]
    public void SameSeedGivesTheSameScheduleAndAnotherSeedAnother()
    {
        var a = ArrivalSchedule.Generate([Steady], seed: 7).Take(500).ToList();
        var b = ArrivalSchedule.Generate([Steady], seed: 7).Take(500).ToList();
        var c = ArrivalSchedule.Generate([Steady], seed: 8).Take(500).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ArrivalsAreOrderedAndInsideTheScenario()
    {
        var arrivals = ArrivalSchedule.Generate([Steady, Steady with { Name = "second" }], seed: 1).ToList();

        Assert.Equal(arrivals.OrderBy(t => t), arrivals);
        Assert.All(arrivals, t => Assert.InRange(t, TimeSpan.Zero, TimeSpan.FromSeconds(120)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SteadyRateGivesPoissonCountsAndExponentialGaps(int seed)
    {
        var arrivals = ArrivalSchedule.Generate([Steady], seed).ToList();

        // 6000 expected; a Poisson count's standard deviation is its square root (about 77).
        Assert.InRange(arrivals.Count, 6000 - 4 * 77, 6000 + 4 * 77);

        // Exponential gaps: mean 10 ms and a coefficient of variation of 1.
        var gaps = arrivals.Zip(arrivals.Skip(1), (x, y) => (y - x).TotalMilliseconds).ToList();
        var mean = gaps.Average();
        var sd = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Count);
        Assert.InRange(mean, 9.5, 10.5);
        Assert.InRange(sd / mean, 0.93, 1.07);
    }

    [Fact]
    public void RampPutsThreeQuartersOfItsArrivalsInItsSecondHalfWhenRisingFromZero()
    {
        var ramp = new RatePhase("ramp", TimeSpan.FromSeconds(100), 0, 200);

        var arrivals = ArrivalSchedule.Generate([ramp], seed: 11).ToList();

        Assert.InRange(arrivals.Count, 10_000 - 4 * 100, 10_000 + 4 * 100);
        var secondHalf = arrivals.Count(t => t >= TimeSpan.FromSeconds(50)) / (double)arrivals.Count;
        Assert.InRange(secondHalf, 0.73, 0.77);
        Assert.Equal(10_000, ArrivalSchedule.ExpectedCount([ramp]));
    }

    [Fact]
    public void PhaseWithZeroRateIsSilence()
    {
        var quiet = new RatePhase("quiet", TimeSpan.FromSeconds(10), 0, 0);

        var arrivals = ArrivalSchedule.Generate([quiet, Steady], seed: 3).ToList();

        Assert.True(arrivals[0] >= TimeSpan.FromSeconds(10));
    }
}
