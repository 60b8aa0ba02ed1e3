using Umearegionen.Switchboard.LoadTests;

// The load generator (docs/load-tests.md; docs/performance.md, "The load scenarios"). Either starts the service itself:
//   --scenario load-tests/scenarios/ordinary.json --service-dll <dll> --pg-admin <conn> --pg-dir <dir> --repo-root <dir>
// or targets a running one (no service faults then):
//   --scenario ... --url http://127.0.0.1:5080 --api-key <key> --admin-user <u> --admin-password <p> [--connection-string <conn>]
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"unexpected argument {args[i]}"); return 2; }
    options[args[i][2..]] = args[i + 1];
}

string? Option(string name) => options.GetValueOrDefault(name);
if (Option("scenario") is not { } scenarioPath)
{
    Console.Error.WriteLine("usage: --scenario <file.json> (--service-dll <dll> --pg-admin <conn> --pg-dir <dir> --repo-root <dir> | --url <url> --api-key <key> --admin-user <u> --admin-password <p>) [--reports <dir>] [--timeout-minutes <n>]");
    return 2;
}

var scenario = Scenario.Load(scenarioPath);
var reports = Option("reports") ?? "load-tests/reports";
var legs = scenario.CompareNodes.Count > 0 ? scenario.CompareNodes : [scenario.Nodes];
var totalSeconds = (scenario.Phases.Sum(p => p.Seconds) + scenario.DrainSeconds) * legs.Count;
// Bounded: the generator stops by itself however the service behaves.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(double.Parse(Option("timeout-minutes") ?? "0", System.Globalization.CultureInfo.InvariantCulture) is > 0 and var m
    ? m : totalSeconds / 60 + 10 * legs.Count));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

try
{
    if (Option("url") is { } url)
    {
        var uri = new Uri(url);
        if (!System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host)))
        {
            Console.Error.WriteLine("the load generator only drives a service on this machine (127.0.0.1)");
            return 2;
        }

        if (legs.Count > 1 || scenario.Nodes > 1)
        {
            Console.Error.WriteLine("nodes and compareNodes need the generator to start the service (--service-dll, not --url)");
            return 2;
        }

        var target = new Target(uri, Option("api-key") ?? "", Option("admin-user") ?? "admin", Option("admin-password") ?? "", Option("connection-string"), null);
        var given = await new LoadRun(scenario, target, Console.Out).ExecuteAsync(stop.Token);
        return Finish(given);
    }

    if (legs.Count == 1) return Finish(await RunStartedAsync(scenario));

    // One node against several, on the same traffic: each run on a fresh database, one report for all.
    var results = new List<(int Nodes, RunReport Report)>();
    foreach (var nodes in legs)
    {
        var leg = scenario with { Name = $"{scenario.Name}, {nodes} node{(nodes == 1 ? "" : "s")}", Nodes = nodes, CompareNodes = [] };
        Console.WriteLine($"== {leg.Name}");
        results.Add((nodes, await RunStartedAsync(leg)));
    }

    ReportWriter.WriteComparison(scenario.Name, results, reports);
    Console.WriteLine();
    Console.WriteLine(ReportWriter.ComparisonMarkdown(scenario.Name, results));
    Console.WriteLine($"Report written to {Path.GetFullPath(reports)}");
    return results.All(r => r.Report.Passed) ? 0 : 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("load test stopped: time limit reached or cancelled");
    return 1;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException && legs.Any(n => n > 1))
{
    // A cluster that could not be started (Redis, a node or haproxy): its log is named in the message.
    Console.Error.WriteLine("load test could not start the nodes: " + e.Message);
    return 1;
}

int Finish(RunReport report)
{
    ReportWriter.Write(report, reports);
    Console.WriteLine();
    Console.WriteLine(ReportWriter.Markdown(report));
    Console.WriteLine($"Report written to {Path.GetFullPath(reports)}");
    return report.Passed ? 0 : 1;
}

// Starts the service (one node, as always) or a cluster (Redis, the nodes, haproxy) on a fresh database, runs, stops it all.
async Task<RunReport> RunStartedAsync(Scenario run)
{
    var dll = Option("service-dll") ?? throw new ArgumentException("--service-dll");
    var repoRoot = Option("repo-root") ?? ".";
    var pgDir = Option("pg-dir") ?? throw new ArgumentException("--pg-dir");
    var pgAdmin = Option("pg-admin") ?? throw new ArgumentException("--pg-admin");
    var workDir = Path.Combine(repoRoot, ".local", "loadtest");
    if (run.Nodes == 1)
    {
        var service = await ServiceUnderTest.StartAsync(dll, repoRoot, pgDir, pgAdmin,
            int.Parse(Option("port") ?? "5290", System.Globalization.CultureInfo.InvariantCulture), workDir, run.HistoryDays);
        try
        {
            var target = new Target(service.Url, service.ApiKey, "loadadmin", service.AdminPassword, service.ConnectionString, service);
            return await new LoadRun(run, target, Console.Out).ExecuteAsync(stop.Token);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    var cluster = await ServiceCluster.StartAsync(run.Nodes, dll, repoRoot, pgDir, pgAdmin, Path.GetFullPath(workDir), run.HistoryDays, Console.Out);
    try
    {
        var first = cluster.First;
        var target = new Target(cluster.Url, first.ApiKey, "loadadmin", first.AdminPassword, first.ConnectionString, first, cluster);
        return await new LoadRun(run, target, Console.Out).ExecuteAsync(stop.Token);
    }
    finally
    {
        await cluster.DisposeAsync();
    }
}
