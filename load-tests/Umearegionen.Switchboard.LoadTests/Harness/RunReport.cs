namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>What the reconciliation found: every call the generator started, looked up in the database.</summary>
/// <remarks>
/// Unexpected: calls in the database the generator never started. NotTerminal: found, but not completed
/// or abandoned. TwoOffersOpen: calls offered again while an offer was open. AcceptedTwice: calls
/// accepted more than once. DoubledInstructions: calls with an instruction to the platform written
/// twice (more rings than offers, more stop-ringings than offers missed, or a second connect,
/// transfer or end).
/// </remarks>
public sealed record Reconciliation(long Started, long FoundOnce, long Missing, long Duplicated, long InconsistentHistory,
    long Unexpected = 0, long NotTerminal = 0, long DuplicatePlatformEvents = 0,
    long TwoOffersOpen = 0, long AcceptedTwice = 0, long DoubledInstructions = 0)
{
    public bool Clean => Missing == 0 && Duplicated == 0 && InconsistentHistory == 0 && FoundOnce == Started &&
                         Unexpected == 0 && NotTerminal == 0 && DuplicatePlatformEvents == 0 &&
                         TwoOffersOpen == 0 && AcceptedTwice == 0 && DoubledInstructions == 0;
}

public sealed record RunReport(
    string Scenario,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    long CallsStarted,
    IReadOnlyList<SecondSample> ArrivalsPerSecond,
    IReadOnlyList<LatencyRecorder> Latencies,
    IReadOnlyList<KeyValuePair<string, long>> Errors,
    Reconciliation? Reconciliation,
    IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>More Markdown sections (title, body), e.g. the ramp's verdict per phase.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sections { get; init; } = [];

    /// <summary>More per-second series to chart (title, unit, points), e.g. the service's memory.</summary>
    public IReadOnlyList<(string Title, string Unit, IReadOnlyList<(int Second, double Value)> Points)> Series { get; init; } = [];

    /// <summary>What the calls cost PostgreSQL, from its counters before and after (null when the generator had no connection string).</summary>
    public Diagnostics.CallCost? Cost { get; init; }

    public double Throughput => Duration.TotalSeconds > 0 ? CallsStarted / Duration.TotalSeconds : 0;

    public bool Passed => Errors.Count == 0 && Reconciliation is { Clean: true };
}
