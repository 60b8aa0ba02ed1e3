namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>A stretch of a scenario during which the arrival rate goes linearly from one value to another.</summary>
public sealed record RatePhase(string Name, TimeSpan Duration, double StartRatePerSecond, double EndRatePerSecond)
{
    public double RateAt(TimeSpan sinceStart) =>
        Duration <= TimeSpan.Zero
            ? EndRatePerSecond
            : StartRatePerSecond + (EndRatePerSecond - StartRatePerSecond) * Math.Clamp(sinceStart / Duration, 0, 1);
}

/// <summary>
/// An open model: calls arrive at the scheduled rate whether or not the service keeps up. Arrivals
/// form a Poisson process whose rate may change over time (ramps, surges); the times are drawn by
/// thinning (Lewis and Shedler): candidates at the peak rate, each kept with probability
/// rate(t) / peak. A fixed seed gives the same schedule every run.
/// </summary>
public static class ArrivalSchedule
{
    public static IEnumerable<TimeSpan> Generate(IReadOnlyList<RatePhase> phases, int seed)
    {
        var random = new Random(seed);
        var phaseStart = TimeSpan.Zero;
        foreach (var phase in phases)
        {
            var peak = Math.Max(phase.StartRatePerSecond, phase.EndRatePerSecond);
            if (peak <= 0)
            {
                phaseStart += phase.Duration;
                continue;
            }

            var t = 0.0;
            var seconds = phase.Duration.TotalSeconds;
            while (true)
            {
                t += -Math.Log(1 - random.NextDouble()) / peak;
                if (t >= seconds)
                {
                    break;
                }

                if (random.NextDouble() * peak <= phase.RateAt(TimeSpan.FromSeconds(t)))
                {
                    yield return phaseStart + TimeSpan.FromSeconds(t);
                }
            }

            phaseStart += phase.Duration;
        }
    }

    /// <summary>The number of arrivals the phases should give on average (the integral of the rate).</summary>
    public static double ExpectedCount(IEnumerable<RatePhase> phases) =>
        phases.Sum(p => (p.StartRatePerSecond + p.EndRatePerSecond) / 2 * p.Duration.TotalSeconds);
}
