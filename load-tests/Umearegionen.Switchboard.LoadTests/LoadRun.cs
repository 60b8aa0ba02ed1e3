using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.LoadTests.Diagnostics;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// Where the service is and how to reach it; Service is set when the generator runs it (then faults are
/// possible). With Cluster (several nodes), Url is haproxy's and Service is node 1.
/// </summary>
public sealed record Target(Uri Url, string ApiKey, string AdminUser, string AdminPassword, string? ConnectionString, ServiceUnderTest? Service,
    ServiceCluster? Cluster = null);

/// <summary>One run of a scenario: set up people, connect, place calls on schedule, inject faults, drain, reconcile, report.</summary>
public sealed class LoadRun(Scenario scenario, Target target, TextWriter log)
{
    private readonly RunState _run = new(scenario);
    private readonly TimelineRecorder _timeline = new();
    private readonly List<string> _faultLog = [];
    private readonly List<(int Second, double Value)> _memory = [];
    private readonly List<(int Second, double Value)> _backlog = [];
    private readonly Dictionary<string, List<(int Second, double Value)>> _nodeMemory = new(StringComparer.Ordinal);
    private readonly List<FaultWindow> _windows = [];
    /// <summary>Each second of a multi-node run: which nodes were ready, and which claimed the leadership (null: not said).</summary>
    private readonly List<(TimeSpan At, bool[] Ready, bool?[] Leader)> _nodeSamples = [];
    private long _callerCounter;
    private double _peakMemory;
    private TimeSpan _arrivalsStart;
    private TimeSpan _arrivalsEnd = TimeSpan.MaxValue;

    public async Task<RunReport> ExecuteAsync(CancellationToken stop)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        // With several nodes no cookie is kept, so that haproxy spreads the requests over the nodes.
        var cluster = target.Cluster;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseCookies = cluster is null,
        })
        {
            BaseAddress = target.Url, Timeout = TimeSpan.FromSeconds(30),
        };

        log.WriteLine($"{scenario.Name}: creating {scenario.Operators.Main}+{scenario.Operators.Cover} operators and a manager");
        var admin = await LoginAsync(http, target.AdminUser, target.AdminPassword, stop);
        var run = Guid.NewGuid().ToString("N")[..6];
        var operatorTokens = await ParallelAsync(Enumerable.Range(0, scenario.Operators.Main + scenario.Operators.Cover), 8, i =>
            CreateAndLoginAsync(http, admin, $"load-{run}-op{i}", "operator", i < scenario.Operators.Main ? "2403" : "2480", stop));
        var managerToken = await CreateAndLoginAsync(http, admin, $"load-{run}-mgr", "manager", null, stop);
        var unitId = await CreateUnitAsync(http, admin, $"Bygglov (lasttest {run})", stop);

        var operators = operatorTokens.Select((t, i) => new OperatorClient(_run, target.Url, t, scenario.Seed * 1000 + i, unitId,
            cluster is null ? null : new HubClientOptions($"op{i}"))).ToList();
        var dashboards = Enumerable.Range(0, scenario.Dashboards).Select(i => new Dashboard(_run, target.Url, managerToken, measures: i < 20,
            cluster is null ? null : new HubClientOptions($"dash{i}"))).ToList();
        await ParallelAsync(operators, 16, o => o.StartAsync(stop));
        log.WriteLine($"{operators.Count} operators connected; connecting {dashboards.Count} dashboards");
        await ParallelAsync(dashboards, 16, d => d.StartAsync(stop));
        await Task.Delay(2000, stop);
        var memoryConnected = target.Service?.ResidentMegabytes();
        var nodesMemoryConnected = cluster?.Nodes.Select(n => $"{n.Name} {n.ResidentMegabytes():0} MB").ToList();
        log.WriteLine($"{operators.Count + dashboards.Count} connections; service memory " +
                      (nodesMemoryConnected is null ? $"{memoryConnected:0} MB" : string.Join(", ", nodesMemoryConnected)));

        using var platformHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, UseCookies = cluster is null })
        {
            BaseAddress = target.Url, Timeout = TimeSpan.FromSeconds(30),
        };
        platformHttp.DefaultRequestHeaders.Add("X-Api-Key", target.ApiKey);
        var platform = new SimulatedPlatform(platformHttp);
        using var stopPlatform = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var consuming = ConsumeInstructionsAsync(platform, stopPlatform.Token);
        using var stopSampler = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sampling = Task.WhenAll(SampleAsync(stopSampler.Token), WatchAsync(stopSampler.Token));

        var phases = scenario.RatePhases();
        // The setup's statistics flushed before the first reading (SharedCounters.StatsFlushWait), so that they are not counted as the calls'.
        if (target.ConnectionString is not null) await Task.Delay(SharedCounters.StatsFlushWait, stop);
        var sharedBefore = target.ConnectionString is { } costDb ? await SharedCounters.ReadAsync(costDb, cluster?.RedisPort, stop) : null;
        _arrivalsStart = _run.Now;
        var faults = scenario.Faults.Select(f => InjectAsync(f, operators, stop)).ToList();
        var arrivals = new ConcurrentBag<Task>();
        var arrivalSeconds = new ConcurrentDictionary<int, long>();
        var random = new Random(scenario.Seed);
        var clock = Stopwatch.StartNew();
        var phaseEnds = phases.Select((p, i) => (p.Name, End: phases.Take(i + 1).Aggregate(TimeSpan.Zero, (t, x) => t + x.Duration))).ToList();
        log.WriteLine($"{scenario.Name}: {ArrivalSchedule.ExpectedCount(phases):0} calls expected over {phaseEnds[^1].End.TotalSeconds:0} s");
        var runOffset = _run.Now;
        foreach (var at in ArrivalSchedule.Generate(phases, scenario.Seed))
        {
            var due = at - clock.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1)) await Task.Delay(due, stop);
            var phase = phaseEnds.First(p => at < p.End || p == phaseEnds[^1]).Name;
            var traffic = PickTraffic(random, phase);
            var abandons = scenario.Behaviour.AbandonProbability > 0 && random.NextDouble() < scenario.Behaviour.AbandonProbability;
            var patience = scenario.Behaviour.Patience.Draw(random);
            arrivalSeconds.AddOrUpdate((int)(runOffset + at).TotalSeconds, 1, (_, n) => n + 1);
            arrivals.Add(Task.Run(() => PlaceCallAsync(platform, traffic, phase, abandons ? patience : null, stop), stop));
        }

        var arrivalDuration = clock.Elapsed;
        _arrivalsEnd = _run.Now;
        log.WriteLine($"{scenario.Name}: {_run.StartedPlatformIds.Count} calls placed in {arrivalDuration.TotalSeconds:0.0} s; draining");
        await Task.WhenAll(arrivals);
        await Task.WhenAll(faults);
        var drained = await DrainAsync(stop);
        var loadAfter = LoadAverage();
        // The last calls' statistics flushed by every backend before the second reading.
        if (target.ConnectionString is not null) await Task.Delay(SharedCounters.StatsFlushWait, stop);
        var sharedAfter = target.ConnectionString is { } costDbAfter ? await SharedCounters.ReadAsync(costDbAfter, cluster?.RedisPort, stop) : null;

        await stopPlatform.CancelAsync();
        await consuming;
        await stopSampler.CancelAsync();
        await sampling;
        foreach (var d in dashboards) d.RecordLatencies();
        foreach (var o in operators) o.RecordOpenOutage();
        var snapshotsPerDashboard = dashboards.Count == 0 ? 0 : dashboards.Average(d => (double)Interlocked.Read(ref d.Snapshots)) / arrivalDuration.TotalSeconds;
        await ParallelAsync(operators, 32, o => o.DisposeAsync());
        await ParallelAsync(dashboards, 32, d => d.DisposeAsync());

        Reconciliation? reconciliation = null;
        var sections = new List<KeyValuePair<string, string>>();
        if (target.ConnectionString is { } cs)
        {
            var (result, examples) = await Reconciler.ReconcileAsync(cs, _run.StartedPlatformIds.Keys.ToHashSet(StringComparer.Ordinal), stop);
            reconciliation = result;
            if (examples.Count > 0) sections.Add(new("Inconsistent histories (first 10)", string.Join('\n', examples.Select(e => "- " + e))));
            try
            {
                var (commitTimes, calls) = await ServiceSideLatency.ReadAsync(cs, stop);
                var rows = ServiceSideLatency.Summarise(calls, id => _run.StartedPlatformIds.TryGetValue(id, out var started)
                    ? (started.Phase, _run.OfferLatencyByCaller.TryGetValue(started.Caller, out var measured) ? measured : null)
                    : null, phases.Select(p => p.Name).ToList());
                sections.Add(new("Intake to offer inside the service", ServiceSideLatency.Markdown(commitTimes, rows)));
            }
            catch (NpgsqlException ex)
            {
                // The report is part of what a run delivers: a query that no longer fits the schema fails the run.
                _run.Errors.Add("report: service-side latencies could not be read: " + ex.Message);
            }

            try
            {
                sections.Add(new("Instructions to the platform, stored to acknowledged", InstructionDelivery.Markdown(await InstructionDelivery.ReadAsync(cs, stop))));
            }
            catch (NpgsqlException ex)
            {
                _run.Errors.Add("report: the instructions' delivery could not be read: " + ex.Message);
            }
        }

        if (!drained) _run.Errors.Add("drain: calls still open after " + scenario.DrainSeconds + " s");
        sections.Add(new("Per phase", PhaseTable(phases)));
        sections.Add(new("Slow seconds and what happened then", StallReport.Markdown(
            StallReport.Find(_run.IntakeToOffer.PerSecond(), scenario.TargetP99Ms, _timeline.Events()), scenario.TargetP99Ms)));
        if (_faultLog.Count > 0) sections.Add(new("Faults injected (seconds after the first arrival)", string.Join('\n', _faultLog.Select(f => "- " + f))));
        if (cluster is not null)
        {
            sections.Add(new("Failover", FailoverSection()));
            sections.Add(new("Hub connections through haproxy", StickinessSection(cluster)));
        }

        var facts = new Dictionary<string, string>
        {
            ["Target"] = target.Url + (target.Service is null ? " (given)" : " (started by the generator, Release)"),
            ["Machine"] = $"{Environment.ProcessorCount} cores; load average before {loadBefore}, after {loadAfter}",
            ["People"] = $"{scenario.Operators.Main} main + {scenario.Operators.Cover} cover operators, {scenario.Dashboards} manager dashboards " +
                         $"({operators.Count + dashboards.Count} hub connections)",
            ["Offers received"] = _run.Offers.ToString(CultureInfo.InvariantCulture),
            ["Calls ended by operators"] = Interlocked.Read(ref _run.Completed).ToString(CultureInfo.InvariantCulture),
            ["Callers who hung up while waiting"] = _run.HungUp.Count.ToString(CultureInfo.InvariantCulture),
            ["Retries (network errors, 5xx, lost hub connections; not errors)"] = _run.Retries.ToString(CultureInfo.InvariantCulture),
            ["Races (the call moved on before the operator accepted: caller hung up, or the offer lapsed while away; not errors)"] = _run.Races.ToString(CultureInfo.InvariantCulture),
            ["Dashboard snapshots"] = $"{snapshotsPerDashboard:0.0} per dashboard per second",
            ["Platform"] = $"{platform.Received.Count} instructions received ({platform.ReceivedAgain} of them received before: " +
                           $"redelivered, or carried twice), {platform.Polls} polls, {platform.ReportsSent} reports",
            ["Drained"] = drained ? "yes, every call ended" : "NO",
        };
        var cost = sharedBefore is not null && sharedAfter is not null ? CallCost.Between(sharedBefore, sharedAfter, _run.StartedPlatformIds.Count) : null;
        if (cost is not null)
        {
            facts["Shared parts per call"] = cost.Line();
            sections.Insert(0, new("What a call cost PostgreSQL", cost.Markdown()));
        }

        if (cluster is not null)
        {
            facts["Nodes"] = $"{cluster.Nodes.Count} behind haproxy at {cluster.Url} (round robin, sticky cookie), SignalR backplane in Redis; " +
                             string.Join(", ", cluster.Nodes.Select(n => $"{n.Name} {n.Url}"));
            facts["Service memory (RSS)"] = $"{string.Join(", ", nodesMemoryConnected!)} with {operators.Count + dashboards.Count} connections before calls; peak " +
                                            string.Join(", ", _nodeMemory.Select(m => $"{m.Key} {(m.Value.Count == 0 ? 0 : m.Value.Max(v => v.Value)):0} MB"));
        }
        else if (target.Service is not null)
        {
            facts["Service memory (RSS)"] = $"{memoryConnected:0} MB with {operators.Count + dashboards.Count} connections before calls; peak {_peakMemory:0} MB";
        }

        return new RunReport(scenario.Name, startedAt, arrivalDuration, _run.StartedPlatformIds.Count,
            arrivalSeconds.OrderBy(a => a.Key).Select(a => new SecondSample(a.Key, a.Value, 0)).ToList(),
            [_run.IntakeToOffer, _run.AcceptToConfirmed, _run.EventToDashboard, _run.IntakeToQueueListing], _run.Errors.ByKind(), reconciliation, facts)
        {
            Sections = sections,
            Cost = cost,
            Series =
            [
                .. target.Service is null || cluster is not null ? [] : new[] { ("Service memory (RSS)", "MB", (IReadOnlyList<(int, double)>)_memory) },
                .. _nodeMemory.Select(m => ($"Service memory (RSS), {m.Key}", "MB", (IReadOnlyList<(int, double)>)m.Value)),
                .. cluster is null ? [] : new[]
                {
                    ("Nodes ready (their own /health/ready)", "nodes", (IReadOnlyList<(int, double)>)_nodeSamples
                        .Select(n => ((int)n.At.TotalSeconds, (double)n.Ready.Count(r => r))).ToList()),
                    ("Leader (node number; 0: none claims it)", "node", LeaderSamples().Where(l => l.Leader is not null)
                        .Select(l => ((int)l.At.TotalSeconds, (double)l.Leader!.Value)).ToList()),
                },
                ("Calls waiting or ringing (service's queue)", "calls", _backlog),
                .. _timeline.AllSeries(),
            ],
        };
    }

    private string PhaseTable(IReadOnlyList<RatePhase> phases)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Target: p99 intake-to-offer ≤ {scenario.TargetP99Ms} ms with every call offered.");
        md.AppendLine();
        md.AppendLine("| phase | rate (calls/s) | offers measured | p50 | p95 | p99 | max | within target |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        string? highest = null;
        double highestRate = -1;
        foreach (var phase in phases)
        {
            var s = _run.IntakeToOfferByPhase.TryGetValue(phase.Name, out var r) ? r.Summary() : new LatencySummary(phase.Name, 0, 0, 0, 0, 0);
            var expected = (phase.StartRatePerSecond + phase.EndRatePerSecond) / 2 * phase.Duration.TotalSeconds;
            var ok = s.Count > 0 && s.P99Ms <= scenario.TargetP99Ms && s.Count >= expected * 0.8;
            var rate = Math.Max(phase.StartRatePerSecond, phase.EndRatePerSecond);
            if (ok && rate > highestRate && !phase.Name.StartsWith("warm-up", StringComparison.Ordinal))
            {
                highest = $"{phase.Name} ({rate:0} calls/s)";
                highestRate = rate;
            }
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {phase.Name} | {phase.StartRatePerSecond:0}→{phase.EndRatePerSecond:0} | {s.Count} | {s.P50Ms:0.0} | {s.P95Ms:0.0} | {s.P99Ms:0.0} | {s.MaxMs:0.0} | {(ok ? "yes" : "no")} |");
        }

        md.AppendLine();
        md.AppendLine(highest is null ? "No phase met the target." : $"Highest rate within the target: {highest}.");
        return md.ToString();
    }

    private TrafficSpec PickTraffic(Random random, string phase)
    {
        var candidates = scenario.Traffic.Where(t => t.Phase is null || t.Phase == phase).ToList();
        if (candidates.Count == 0) candidates = scenario.Traffic.Where(t => t.Phase is null).DefaultIfEmpty(scenario.Traffic[0]).ToList();
        var x = random.NextDouble() * candidates.Sum(t => t.Weight);
        foreach (var t in candidates)
        {
            if ((x -= t.Weight) < 0) return t;
        }

        return candidates[^1];
    }

    /// <summary>Reports a call; on network errors and 5xx tries again (the intake is idempotent on the platform's id).</summary>
    private async Task PlaceCallAsync(SimulatedPlatform platform, TrafficSpec traffic, string phase, TimeSpan? patience, CancellationToken stop)
    {
        var n = Interlocked.Increment(ref _callerCounter);
        var caller = "+4670" + n.ToString("D7", CultureInfo.InvariantCulture);
        var platformId = $"load-{scenario.Seed}-{n}";
        var report = new NewCallReport(platformId, caller, traffic.DialledNumber, traffic.Topic);
        var sentAt = Stopwatch.GetTimestamp();
        _run.Sent[caller] = (sentAt, DateTime.UtcNow, _run.Now, phase);
        _run.StartedPlatformIds[platformId] = (phase, caller);
        var receipt = await WithRetriesAsync("intake", () => platform.PlaceCallAsync(report, stop), stop);
        if (receipt is null) return;
        _run.IntakeByCallId[receipt.CallId] = sentAt;
        _run.IntakeConfirmed(sentAt);
        if (patience is not { } wait) return;
        await Task.Delay(wait - Stopwatch.GetElapsedTime(sentAt) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero, stop);
        if (_run.Accepted.ContainsKey(caller)) return;
        _run.HungUp[caller] = true;
        await WithRetriesAsync("hang-up", () => platform.ReportAsync(platformId, PlatformEventTypes.Ended, platformId + "-hangup", stop), stop);
    }

    private async Task<T?> WithRetriesAsync<T>(string what, Func<Task<T>> action, CancellationToken stop) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (!stop.IsCancellationRequested && Retryable(e) && deadline.Elapsed < TimeSpan.FromSeconds(120))
            {
                _run.Retry();
                await Task.Delay(250, stop);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                _run.Errors.Add($"{what}: " + (e is HttpRequestException { StatusCode: { } code } ? ((int)code).ToString(CultureInfo.InvariantCulture) : e.GetType().Name));
                return null;
            }
        }
    }

    private static bool Retryable(Exception e) => e switch
    {
        HttpRequestException { StatusCode: null } => true,
        HttpRequestException { StatusCode: { } code } => (int)code >= 500,
        TaskCanceledException or IOException => true,
        _ => false,
    };

    /// <summary>The platform's side: carry out instructions, and keep at it through the service's restarts.</summary>
    private async Task ConsumeInstructionsAsync(SimulatedPlatform platform, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await platform.RunAsync(stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return; // stopped while a request failed for another reason (e.g. its own timeout)
            }
            catch (HttpRequestException e) when (e.StatusCode is { } code && (int)code is >= 400 and < 500)
            {
                // The service refused what the platform sent: the platform would send it again and again.
                var kind = $"platform: {(int)code} from the service";
                if (!_run.Errors.ByKind().Any(k => k.Key == kind)) log.WriteLine(kind + ": " + e.Message);
                _run.Errors.Add(kind);
                try { await Task.Delay(500, stop); } catch (OperationCanceledException) { }
            }
            catch (Exception)
            {
                _run.Retry();
                try { await Task.Delay(500, stop); } catch (OperationCanceledException) { }
            }
        }
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var second = (int)_run.Now.TotalSeconds;
            if (target.Cluster is { } cluster)
            {
                foreach (var node in cluster.Nodes)
                {
                    if (node.ResidentMegabytes() is not { } nodeMb) continue;
                    if (!_nodeMemory.TryGetValue(node.Name, out var series)) _nodeMemory[node.Name] = series = [];
                    series.Add((second, nodeMb));
                }
            }
            else if (target.Service?.ResidentMegabytes() is { } mb)
            {
                _memory.Add((second, mb));
                _peakMemory = Math.Max(_peakMemory, mb);
            }

            if (target.ConnectionString is { } cs)
            {
                try
                {
                    using var quick = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    quick.CancelAfter(TimeSpan.FromSeconds(2));
                    _backlog.Add((second, await Reconciler.OpenCallsAsync(cs, quick.Token)));
                }
                catch (Exception) when (!stop.IsCancellationRequested && ++failures < 1000)
                {
                    // PostgreSQL restarting: no sample this second.
                }
            }

            try { await Task.Delay(1000, stop); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>
    /// Records beside the latencies what the service's runtime (over EventPipe, when the generator
    /// started the service), the generator's runtime, the machine and the database do.
    /// </summary>
    private Task WatchAsync(CancellationToken stop)
    {
        var watchers = new List<Task>
        {
            new GeneratorAndMachineSampler(
                () => target.Cluster?.Pids() ?? (target.Service?.Pid is { } pid ? [pid] : []), () => _run.Now, _timeline).RunAsync(stop),
        };
        if (target.Cluster is { } cluster) watchers.Add(WatchNodesAsync(cluster, stop));
        if (target.Service is { } service)
        {
            watchers.Add(new ServiceRuntimeEvents(() => service.Pid, _run.RunTimeOf, _timeline).RunAsync(stop));
        }

        if (target.ConnectionString is { } cs)
        {
            watchers.Add(new DatabaseSampler(cs, () => _run.Now, _timeline).RunAsync(stop));
        }

        return Task.WhenAll(watchers);
    }

    /// <summary>Every second, asks each node itself whether it is ready and whether it leads (docs/load-tests-failover.md).</summary>
    private async Task WatchNodesAsync(ServiceCluster cluster, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(1) };
        while (!stop.IsCancellationRequested)
        {
            var at = _run.Now;
            var answers = await Task.WhenAll(cluster.Nodes.Select(n => n.ReadinessAsync(http, stop)));
            lock (_nodeSamples) _nodeSamples.Add((at, answers.Select(a => a.Ready).ToArray(), answers.Select(a => a.Leader).ToArray()));
            try { await Task.Delay(1000, stop); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>The node claiming the leadership in each sample: its number, 0 for none, null when no body said.</summary>
    private IReadOnlyList<(TimeSpan At, int? Leader)> LeaderSamples()
    {
        lock (_nodeSamples)
        {
            return _nodeSamples.Select(s => (s.At, s.Leader.All(l => l is null) ? (int?)null : Array.IndexOf(s.Leader, true) + 1)).ToList();
        }
    }

    /// <summary>
    /// Per fault: how long offers stopped, how long until every operator who lost the connection was
    /// back, the leader before and after; and intake-to-offer outside and inside the fault windows.
    /// An operator connection that never came back is counted as an error (the run fails).
    /// </summary>
    private string FailoverSection()
    {
        var recovery = TimeSpan.FromSeconds(FailoverFigures.RecoverySeconds);
        var windows = _windows.OrderBy(w => w.Start).ToList();
        var offers = _run.OfferTimes.ToArray();
        var firstOffers = _run.FirstOffers.Values.ToList();
        var calls = firstOffers.Select(f => (f.SentAt, (TimeSpan?)f.ReceivedAt))
            .Concat(_run.Sent.Where(s => !_run.FirstOffers.ContainsKey(s.Key)).Select(s => (s.Value.RunTime, (TimeSpan?)null)))
            .ToList();
        var outages = _run.Outages.ToArray();
        var leaders = LeaderSamples();
        var leaderKnown = leaders.Any(l => l.Leader is not null);
        double S(TimeSpan t) => (t - _arrivalsStart).TotalSeconds;
        string Node(int? n) => n switch { null => "?", 0 => "none", _ => $"node{n}" };
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Each fault's window runs from when the generator began it to {recovery.TotalSeconds:0} s after it was done (a node killed, or ready again), " +
            $"or to the next fault's start if that comes sooner; gaps between offers are looked for until the last call was placed. " +
            $"Offers: every offer an operator's client received, pushed or learned from Resync after a reconnect. Goal: offers stop < 5 s.");
        md.AppendLine();
        md.AppendLine("| fault | at (s) | done after (s) | longest gap between offers (s) | of it with a call waiting (s) | goal < 5 s | operators lost (connections) | all back and resynced after (s) | leader before → after | new leader after (s) |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |");
        for (var i = 0; i < windows.Count; i++)
        {
            // A fault's window ends at the next fault's start if that comes sooner: what follows is the next one's.
            var w = windows[i];
            var until = FailoverFigures.WindowEnd(windows, i, recovery);
            // No arrivals, no offers: gaps are looked for until the last call was placed.
            var gapsUntil = until < _arrivalsEnd ? until : _arrivalsEnd;
            var gap = FailoverFigures.LongestGap(offers, w.Start, gapsUntil);
            var waiting = FailoverFigures.LongestGapWhileWaiting(offers, calls, w.Start, gapsUntil);
            var back = FailoverFigures.OperatorsBack(outages, w.Start, until);
            var before = FailoverFigures.LeaderAt(leaders, w.Start);
            var after = FailoverFigures.LeaderAt(leaders, until);
            var moved = FailoverFigures.NewLeaderAt(leaders, w.Start, until, before);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {w.Label} | {S(w.Start):0.0} | {(w.End - w.Start).TotalSeconds:0.0} | {gap.Length.TotalSeconds:0.00} (from {S(gap.From):0.0}) | " +
                $"{waiting.Length.TotalSeconds:0.00} | {(waiting.Length < TimeSpan.FromSeconds(5) ? "met" : "MISSED")} | {back.Clients} ({back.Outages}) | " +
                $"{(back.AllBackAfter is { } t ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : $"NOT ALL: {back.NeverBack} never back")} | " +
                $"{(leaderKnown ? $"{Node(before)} → {Node(after)}" : "not reported")} | " +
                $"{(moved is { } m ? (m - w.Start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) : "–")} |");
        }

        var neverBack = outages.Count(o => o.Back is null);
        for (var i = 0; i < neverBack; i++) _run.Errors.Add("failover: an operator's connection never came back");
        md.AppendLine();
        if (!leaderKnown) md.AppendLine("The nodes' /health/ready named no leader (a plain-text body): leaders not reported.");
        else
        {
            var twoLeaders = _nodeSamples.Count(s => s.Leader.Count(l => l == true) > 1);
            md.AppendLine(CultureInfo.InvariantCulture, $"Seconds in which two nodes claimed the leadership at once: {twoLeaders}.");
        }

        md.AppendLine();
        var (outside, inside) = FailoverFigures.SplitByWindows(firstOffers, FailoverFigures.Windows(windows, recovery));
        md.AppendLine("Intake to a call's first offer received (pushed or from Resync), by when its intake was sent:");
        md.AppendLine();
        md.AppendLine("| calls sent | count | p50 | p95 | p99 | max |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (label, recorder) in new[] { ("outside the fault windows", outside), ("inside the fault windows", inside) })
        {
            var x = recorder.Summary();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {x.Count} | {x.P50Ms:0.0} | {x.P95Ms:0.0} | {x.P99Ms:0.0} | {x.MaxMs:0.0} |");
        }

        var o = outside.Summary();
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Outside the fault windows p99 {o.P99Ms:0.0} ms against the goal of {scenario.TargetP99Ms:0} ms: {(o.Count > 0 && o.P99Ms <= scenario.TargetP99Ms ? "met" : "MISSED")}. " +
            $"First offers learned from Resync only (their push was lost with a node): {firstOffers.Count(f => f.ViaResync)}. " +
            $"Calls whose offer no client received: {calls.Count(c => c.Item2 is null)}.");
        return md.ToString();
    }

    /// <summary>
    /// What haproxy's log says about the hub connections: each negotiation's WebSocket must reach the
    /// node the negotiation did (the sticky cookie); a pair split over two nodes is an error.
    /// </summary>
    private string StickinessSection(ServiceCluster cluster)
    {
        List<HaproxyConfig.HubRequest> requests;
        try
        {
            using var stream = new FileStream(cluster.BalancerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            requests = reader.ReadToEnd().Split('\n').Select(HaproxyConfig.ParseLogLine).OfType<HaproxyConfig.HubRequest>().ToList();
        }
        catch (IOException e)
        {
            _run.Errors.Add("report: haproxy's log could not be read");
            return "haproxy's log could not be read: " + e.Message;
        }

        var check = HaproxyConfig.CheckStickiness(requests);
        for (var i = 0; i < check.Broken; i++) _run.Errors.Add("haproxy: a WebSocket reached another node than its negotiation");
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Hub clients negotiate first, as a browser does; each connection keeps haproxy's cookie {HaproxyConfig.Cookie} in its own cookie " +
            $"container, which the .NET client sends with the WebSocket request too. haproxy logs every request to /hubs/ with the client's name " +
            $"({HaproxyConfig.ClientHeader}) and the node that served it ({cluster.BalancerLog}).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Requests logged: {requests.Count}; negotiations followed by their WebSocket: {check.Pairs}; " +
                                                    $"of these on another node than their negotiation although it was up: **{check.Broken}** (must be 0: the cookie failed); " +
                                                    $"sent to another node because their negotiation's node was down by then (the client tries again): {check.MovedFromDownNode}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- WebSockets with no negotiation logged before them: {check.WebSocketsWithoutNegotiation}");
        md.AppendLine("- Node of each client's first connection: " + string.Join(", ",
            check.FirstNode.OrderBy(f => f.Key.Kind, StringComparer.Ordinal).ThenBy(f => f.Key.Node, StringComparer.Ordinal)
                .Select(f => $"{f.Key.Kind} {f.Key.Node} {f.Value}")));
        md.AppendLine("- The sticky cookie as haproxy saw it (request side of %tsc: N none, V valid, D its node was down and the request went to another, I invalid): " +
                      string.Join(", ", requests.Where(r => r.TerminationState.Length >= 4).GroupBy(r => r.TerminationState[2])
                          .OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        md.AppendLine(CultureInfo.InvariantCulture, $"- Non-success answers to hub requests: {requests.Count(r => r.Status >= 400 || r.Status < 100)}");
        foreach (var e in check.Examples) md.AppendLine("- " + e);
        return md.ToString();
    }

    /// <summary>Waits until every call the generator placed has ended (completed or abandoned), at most DrainSeconds.</summary>
    private async Task<bool> DrainAsync(CancellationToken stop)
    {
        if (target.ConnectionString is not { } cs) return await DrainByCountAsync(stop);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(scenario.DrainSeconds))
        {
            try
            {
                if (await Reconciler.OpenCallsAsync(cs, stop) == 0) return true;
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
            }

            await Task.Delay(1000, stop);
        }

        return false;
    }

    private async Task<bool> DrainByCountAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(scenario.DrainSeconds))
        {
            if (Interlocked.Read(ref _run.Completed) + _run.HungUp.Count >= _run.StartedPlatformIds.Count) return true;
            await Task.Delay(1000, stop);
        }

        return false;
    }

    private async Task InjectAsync(FaultSpec fault, IReadOnlyList<OperatorClient> operators, CancellationToken stop)
    {
        await Task.Delay(TimeSpan.FromSeconds(fault.AtSecond), stop);
        var at = (_run.Now - _arrivalsStart).TotalSeconds;
        var start = _run.Now;
        try
        {
            switch (fault.Kind)
            {
                case FaultKinds.KillNode when target.Cluster is { } cluster:
                    await cluster.KillNodeAsync(fault.Node);
                    Window(fault, start);
                    Note($"{at:0} s: node{fault.Node} killed (SIGKILL)");
                    break;
                case FaultKinds.StartNode when target.Cluster is { } cluster:
                    await cluster.StartNodeAsync(fault.Node);
                    Window(fault, start);
                    Note($"{at:0} s: node{fault.Node} started again; ready after {(_run.Now - start).TotalSeconds:0.0} s");
                    break;
                case FaultKinds.RollingRestart when target.Cluster is { } cluster:
                    var steps = await cluster.RollingRestartAsync(() => _run.Now);
                    Window(fault, start);
                    Note($"{at:0} s: rolling restart done after {(_run.Now - start).TotalSeconds:0.0} s: {string.Join("; ", steps)}");
                    break;
                case FaultKinds.RestartService when target.Service is { } service:
                    var away = await service.RestartAsync();
                    Note($"{at:0} s: service killed and restarted; ready again after {away.TotalSeconds:0.0} s");
                    break;
                case FaultKinds.RestartPostgres when target.Service is { } service:
                    var pgAway = await service.RestartPostgresAsync();
                    Note($"{at:0} s: PostgreSQL stopped and started again in {pgAway.TotalSeconds:0.0} s");
                    break;
                case FaultKinds.DropOperators:
                    var count = Math.Min(fault.Count, operators.Count);
                    Note($"{at:0} s: {count} operators drop their connection for {fault.Seconds:0} s");
                    await Task.WhenAll(operators.Take(count).Select(o => o.DropAsync(TimeSpan.FromSeconds(fault.Seconds))));
                    break;
                default:
                    Note($"{at:0} s: {fault.Kind} skipped (the service was given with --url, not started by the generator)");
                    break;
            }
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            _run.Errors.Add($"fault {fault.Kind}: {e.GetType().Name}");
            Note($"{at:0} s: {fault.Kind} failed: {e.Message}");
        }
    }

    /// <summary>Records a fault's start and end (run time) for the failover figures.</summary>
    private void Window(FaultSpec fault, TimeSpan start)
    {
        lock (_windows) _windows.Add(new FaultWindow(fault.Kind, fault.Node, start, _run.Now));
    }

    private void Note(string line)
    {
        lock (_faultLog) _faultLog.Add(line);
        log.WriteLine("fault: " + line);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static async Task<List<T>> ParallelAsync<TIn, T>(IEnumerable<TIn> items, int parallelism, Func<TIn, Task<T>> action)
    {
        var list = items.ToList();
        var results = new T[list.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, list.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => results[i] = await action(list[i]));
        return [.. results];
    }

    private static Task ParallelAsync<TIn>(IEnumerable<TIn> items, int parallelism, Func<TIn, Task> action) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (x, _) => await action(x));

    private sealed record Login(string AccessToken);

    private static async Task<string> LoginAsync(HttpClient http, string username, string password, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password }, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Login>(ct))!.AccessToken;
    }

    /// <summary>
    /// The directory unit the operators book callbacks with and leave messages for: routing checks
    /// such destinations against the directory. It has no stored hours, so callbacks are accepted
    /// at any time (with the service's "hours unknown" warning).
    /// </summary>
    private static async Task<string> CreateUnitAsync(HttpClient http, string adminToken, string name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/directory/units")
        {
            Content = JsonContent.Create(new
            {
                municipalityCode = "2480", name, level = "unit", phone = "090-16 10 00", email = "bygglov@example.invalid",
                topics = new[] { "bygglov" }, eServices = Array.Empty<object>(),
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating the load test's directory unit failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> CreateAndLoginAsync(HttpClient http, string adminToken, string username, string role, string? municipality, CancellationToken ct)
    {
        var password = "load-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts")
        {
            Content = JsonContent.Create(new { username, displayName = username, role, municipalityCode = municipality, password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created && !response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating {username} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        return await LoginAsync(http, username, password, ct);
    }
}
