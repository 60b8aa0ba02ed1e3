using HdrHistogram;

namespace Umearegionen.Switchboard.LoadTests.Harness;

public sealed record LatencySummary(string Name, long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

public sealed record SecondSample(int Second, long Count, double P99Ms);

/// <summary>
/// Latencies of one kind (e.g. intake-to-offer), for the whole run and per second of the run, in
/// HdrHistogram so percentiles are exact to three significant digits. Thread-safe.
/// </summary>
public sealed class LatencyRecorder(string name)
{
    private const long HighestMicroseconds = 10L * 60 * 1_000_000;
    private readonly LongHistogram _total = new(HighestMicroseconds, 3);
    private readonly Dictionary<int, LongHistogram> _perSecond = [];
    private readonly object _gate = new();

    public string Name { get; } = name;

    public void Record(TimeSpan latency, TimeSpan atRunTime)
    {
        var micros = Math.Clamp((long)(latency.TotalMilliseconds * 1000), 1, HighestMicroseconds);
        var second = (int)atRunTime.TotalSeconds;
        lock (_gate)
        {
            _total.RecordValue(micros);
            if (!_perSecond.TryGetValue(second, out var histogram))
            {
                _perSecond[second] = histogram = new LongHistogram(HighestMicroseconds, 2);
            }

            histogram.RecordValue(micros);
        }
    }

    public LatencySummary Summary()
    {
        lock (_gate)
        {
            var count = _total.TotalCount;
            return count == 0
                ? new LatencySummary(Name, 0, 0, 0, 0, 0)
                : new LatencySummary(Name, count, Ms(_total.GetValueAtPercentile(50)), Ms(_total.GetValueAtPercentile(95)),
                    Ms(_total.GetValueAtPercentile(99)), Ms(_total.GetMaxValue()));
        }
    }

    public IReadOnlyList<SecondSample> PerSecond()
    {
        lock (_gate)
        {
            return _perSecond.OrderBy(p => p.Key)
                .Select(p => new SecondSample(p.Key, p.Value.TotalCount, Ms(p.Value.GetValueAtPercentile(99))))
                .ToList();
        }
    }

    private static double Ms(long micros) => micros / 1000.0;
}
