namespace Umearegionen.Switchboard.Statistics;

public sealed class StatisticsOptions
{
    public const string Section = "Statistics";

    // The service level's target and short abandons: Platform/ServiceLevel.cs, shared with the live view.

    /// <summary>A caller calling again within this time after a transfer makes the transfer a bounce-back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BounceBackWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest date range one request may cover, in days.</summary>
    [Range(1, 3660)]
    public int MaxRangeDays { get; set; } = 731;

    /// <summary>
    /// How often the background flush looks whether to add ended calls to the rollups (every statistics read adds them first
    /// too). It adds them when <see cref="FlushMinFacts"/> wait or <see cref="FlushMaxDelay"/> has passed (docs/decisions/0021).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The background flush adds ended calls at the next <see cref="FlushInterval"/> once this many ended calls and changed
    /// facts wait (400: two seconds at 200 calls/s); 1 flushes at every interval.
    /// </summary>
    [Range(1, 100_000)]
    public int FlushMinFacts { get; set; } = 400;

    /// <summary>Longest time between two background flushes, however few ended calls wait.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FlushMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    public CostKeyOptions CostKey { get; set; } = new();
}

/// <summary>The cooperation's key: a fixed sum per municipality plus an amount per inhabitant.</summary>
public sealed class CostKeyOptions
{
    /// <summary>SEK each served municipality pays before the per-inhabitant part.</summary>
    [Range(0, 1_000_000_000)]
    public decimal FixedPerMunicipality { get; set; } = 25_000m;

    /// <summary>SEK per inhabitant; when null the budget left after the fixed sums is spread over the inhabitants.</summary>
    [Range(0, 1_000_000)]
    public decimal? PerInhabitant { get; set; }
}
