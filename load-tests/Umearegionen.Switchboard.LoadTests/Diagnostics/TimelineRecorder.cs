namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>A moment worth naming when a second of the run was slow.</summary>
public sealed record TimelineEvent(TimeSpan At, string What);

/// <summary>
/// What the service's runtime, the generator's runtime, the machine and the database did, second by
/// second, kept beside the latencies so a slow second can be explained (docs/performance.md,
/// "The load scenarios"). Per-second figures are charted; notable moments (a long
/// pause, the thread pool adding threads because work was starving, autovacuum starting on a table)
/// are listed by <see cref="StallReport"/>. Thread-safe.
/// </summary>
public sealed class TimelineRecorder
{
    /// <summary>A garbage collection pause at least this long is named.</summary>
    public static readonly TimeSpan NotablePause = TimeSpan.FromMilliseconds(50);

    /// <summary>The generator's timer firing this late is named (its own clients were then late too).</summary>
    public static readonly TimeSpan NotableLag = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly SortedDictionary<string, SortedDictionary<int, double>> _series = new(StringComparer.Ordinal);
    private readonly List<TimelineEvent> _events = [];

    public static class Series
    {
        public const string ServicePause = "Service: garbage collection pauses (per second)";
        public const string ServiceThreads = "Service: thread pool worker threads";
        public const string ServiceLockWait = "Service: time waiting for contended locks (per second)";
        public const string GeneratorLag = "Generator: timer lateness (worst in each second)";
        public const string GeneratorPause = "Generator: garbage collection pauses (per second)";
        public const string MachineCpu = "Machine: CPU busy (all cores)";
        public const string ServiceCpu = "Service: CPU (100 % is one core)";
        public const string GeneratorCpu = "Generator: CPU (100 % is one core)";
        public const string DatabaseActive = "Database: statements running (most at once)";
        public const string DatabaseLockWaits = "Database: statements waiting for a lock (most at once)";

        internal static readonly IReadOnlyDictionary<string, string> Units = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ServicePause] = "ms", [ServiceThreads] = "threads", [ServiceLockWait] = "ms", [GeneratorLag] = "ms",
            [GeneratorPause] = "ms", [MachineCpu] = "%", [ServiceCpu] = "%", [GeneratorCpu] = "%", [DatabaseActive] = "statements",
            [DatabaseLockWaits] = "statements",
        };
    }

    public void ServicePause(TimeSpan at, TimeSpan pause, int generation)
    {
        Add(Series.ServicePause, at, pause.TotalMilliseconds);
        if (pause >= NotablePause) Note(at, $"service paused {Ms(pause)} for a generation-{generation} garbage collection");
    }

    public void ServiceThreadPool(TimeSpan at, int threads, string reason)
    {
        Set(Series.ServiceThreads, at, threads);
        // Starvation: queued work waited while every thread was busy or blocked, so the pool added one.
        if (reason is "Starvation" or "CooperativeBlocking") Note(at, $"service thread pool grew to {threads} threads ({reason})");
    }

    public void ServiceLockWait(TimeSpan at, TimeSpan wait) => Add(Series.ServiceLockWait, at, wait.TotalMilliseconds);

    public void GeneratorSample(TimeSpan at, TimeSpan lag, TimeSpan pause)
    {
        Max(Series.GeneratorLag, at, lag.TotalMilliseconds);
        Add(Series.GeneratorPause, at, pause.TotalMilliseconds);
        if (lag >= NotableLag) Note(at, $"generator's timer {Ms(lag)} late (its own work was delayed: latencies around here include it)");
    }

    /// <summary>CPU over the last second: the machine's share of all cores; the service's and the generator's of one core.</summary>
    public void Cpu(TimeSpan at, double machinePercent, double? servicePercent, double generatorPercent)
    {
        Max(Series.MachineCpu, at, machinePercent);
        if (servicePercent is { } s) Max(Series.ServiceCpu, at, s);
        Max(Series.GeneratorCpu, at, generatorPercent);
    }

    public void Database(TimeSpan at, int active, int lockWaits)
    {
        Max(Series.DatabaseActive, at, active);
        Max(Series.DatabaseLockWaits, at, lockWaits);
    }

    public void Note(TimeSpan at, string what)
    {
        lock (_gate) _events.Add(new TimelineEvent(at, what));
    }

    public IReadOnlyList<TimelineEvent> Events()
    {
        lock (_gate) return _events.OrderBy(e => e.At).ToList();
    }

    /// <summary>Every series with data, each as (second, value) in order.</summary>
    public IReadOnlyList<(string Title, string Unit, IReadOnlyList<(int Second, double Value)> Points)> AllSeries()
    {
        lock (_gate)
        {
            return _series.Select(s => (s.Key, Series.Units[s.Key],
                (IReadOnlyList<(int, double)>)s.Value.Select(p => (p.Key, p.Value)).ToList())).ToList();
        }
    }

    private void Add(string series, TimeSpan at, double value) => Update(series, at, value, (old, v) => old + v);

    private void Max(string series, TimeSpan at, double value) => Update(series, at, value, Math.Max);

    private void Set(string series, TimeSpan at, double value) => Update(series, at, value, (_, v) => v);

    private void Update(string series, TimeSpan at, double value, Func<double, double, double> combine)
    {
        var second = Math.Max(0, (int)at.TotalSeconds);
        lock (_gate)
        {
            if (!_series.TryGetValue(series, out var points)) _series[series] = points = [];
            points[second] = points.TryGetValue(second, out var old) ? combine(old, value) : value;
        }
    }

    internal static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
