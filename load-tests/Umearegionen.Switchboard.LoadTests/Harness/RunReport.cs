namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>What the reconciliation found: every call the generator started, looked up in the database.</summary>
public sealed record Reconciliation(long Started, long FoundOnce, long Missing, long Duplicated, long InconsistentHistory)
{
    public bool Clean => Missing == 0 && Duplicated == 0 && InconsistentHistory == 0 && FoundOnce == Started;
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
    public double Throughput => Duration.TotalSeconds > 0 ? CallsStarted / Duration.TotalSeconds : 0;

    public bool Passed => Errors.Count == 0 && Reconciliation is { Clean: true };
}
