using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.LoadTests.Diagnostics;
using Umearegionen.Switchboard.LoadTests.Harness;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>Where the service is and how to reach it; Service is set when the generator runs it (then faults are possible).</summary>
public sealed record Target(Uri Url, string ApiKey, string AdminUser, string AdminPassword, string? ConnectionString, ServiceUnderTest? Service);

/// <summary>One run of a scenario: set up people, connect, place calls on schedule, inject faults, drain, reconcile, report.</summary>
public sealed class LoadRun(Scenario scenario, Target target, TextWriter log)
{
    private readonly RunState _run = new(scenario);
    private readonly TimelineRecorder _timeline = new();
    private readonly List<string> _faultLog = [];
    private readonly List<(int Second, double Value)> _memory = [];
    private readonly List<(int Second, double Value)> _backlog = [];
    private long _callerCounter;
    private double _peakMemory;
    private TimeSpan _arrivalsStart;

    public async Task<RunReport> ExecuteAsync(CancellationToken stop)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
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

        var operators = operatorTokens.Select((t, i) => new OperatorClient(_run, target.Url, t, scenario.Seed * 1000 + i, unitId)).ToList();
        var dashboards = Enumerable.Range(0, scenario.Dashboards).Select(i => new Dashboard(_run, target.Url, managerToken, measures: i < 20)).ToList();
        await ParallelAsync(operators, 16, o => o.StartAsync(stop));
        log.WriteLine($"{operators.Count} operators connected; connecting {dashboards.Count} dashboards");
        await ParallelAsync(dashboards, 16, d => d.StartAsync(stop));
        await Task.Delay(2000, stop);
        var memoryConnected = target.Service?.ResidentMegabytes();
        log.WriteLine($"{operators.Count + dashboards.Count} connections; service memory {memoryConnected:0} MB");

        using var platformHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = target.Url, Timeout = TimeSpan.FromSeconds(30) };
        platformHttp.DefaultRequestHeaders.Add("X-Api-Key", target.ApiKey);
        var platform = new SimulatedPlatform(platformHttp);
        using var stopPlatform = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var consuming = ConsumeInstructionsAsync(platform, stopPlatform.Token);
        using var stopSampler = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var sampling = Task.WhenAll(SampleAsync(stopSampler.Token), WatchAsync(stopSampler.Token));

        var phases = scenario.RatePhases();
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
        log.WriteLine($"{scenario.Name}: {_run.StartedPlatformIds.Count} calls placed in {arrivalDuration.TotalSeconds:0.0} s; draining");
        await Task.WhenAll(arrivals);
        await Task.WhenAll(faults);
        var drained = await DrainAsync(stop);
        var loadAfter = LoadAverage();

        await stopPlatform.CancelAsync();
        await consuming;
        await stopSampler.CancelAsync();
        await sampling;
        foreach (var d in dashboards) d.RecordLatencies();
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
        }

        if (!drained) _run.Errors.Add("drain: calls still open after " + scenario.DrainSeconds + " s");
        sections.Add(new("Per phase", PhaseTable(phases)));
        sections.Add(new("Slow seconds and what happened then", StallReport.Markdown(
            StallReport.Find(_run.IntakeToOffer.PerSecond(), scenario.TargetP99Ms, _timeline.Events()), scenario.TargetP99Ms)));
        if (_faultLog.Count > 0) sections.Add(new("Faults injected (seconds after the first arrival)", string.Join('\n', _faultLog.Select(f => "- " + f))));

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
            ["Drained"] = drained ? "yes, every call ended" : "NO",
        };
        if (target.Service is not null)
        {
            facts["Service memory (RSS)"] = $"{memoryConnected:0} MB with {operators.Count + dashboards.Count} connections before calls; peak {_peakMemory:0} MB";
        }

        return new RunReport(scenario.Name, startedAt, arrivalDuration, _run.StartedPlatformIds.Count,
            arrivalSeconds.OrderBy(a => a.Key).Select(a => new SecondSample(a.Key, a.Value, 0)).ToList(),
            [_run.IntakeToOffer, _run.AcceptToConfirmed, _run.EventToDashboard, _run.IntakeToQueueListing], _run.Errors.ByKind(), reconciliation, facts)
        {
            Sections = sections,
            Series =
            [
                .. target.Service is null ? [] : new[] { ("Service memory (RSS)", "MB", (IReadOnlyList<(int, double)>)_memory) },
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
            if (target.Service?.ResidentMegabytes() is { } mb)
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
            new GeneratorAndMachineSampler(() => target.Service?.Pid, () => _run.Now, _timeline).RunAsync(stop),
        };
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
        try
        {
            switch (fault.Kind)
            {
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
