using Umearegionen.Switchboard.LoadTests;
using Umearegionen.Switchboard.LoadTests.Harness;

// The load generator (docs/performance.md, "Load tests"). Either starts the service itself:
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
var totalSeconds = scenario.Phases.Sum(p => p.Seconds) + scenario.DrainSeconds;
// Bounded: the generator stops by itself however the service behaves.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(double.Parse(Option("timeout-minutes") ?? "0", System.Globalization.CultureInfo.InvariantCulture) is > 0 and var m
    ? m : totalSeconds / 60 + 10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

ServiceUnderTest? service = null;
try
{
    Target target;
    if (Option("url") is { } url)
    {
        var uri = new Uri(url);
        if (!System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(uri.Host == "localhost" ? "127.0.0.1" : uri.Host)))
        {
            Console.Error.WriteLine("the load generator only drives a service on this machine (127.0.0.1)");
            return 2;
        }

        target = new Target(uri, Option("api-key") ?? "", Option("admin-user") ?? "admin", Option("admin-password") ?? "", Option("connection-string"), null);
    }
    else
    {
        service = await ServiceUnderTest.StartAsync(Option("service-dll") ?? throw new ArgumentException("--service-dll"),
            Option("repo-root") ?? ".", Option("pg-dir") ?? throw new ArgumentException("--pg-dir"),
            Option("pg-admin") ?? throw new ArgumentException("--pg-admin"), int.Parse(Option("port") ?? "5290", System.Globalization.CultureInfo.InvariantCulture),
            Path.Combine(Option("repo-root") ?? ".", ".local", "loadtest"), scenario.HistoryDays);
        target = new Target(service.Url, service.ApiKey, "loadadmin", service.AdminPassword, service.ConnectionString, service);
    }

    var report = await new LoadRun(scenario, target, Console.Out).ExecuteAsync(stop.Token);
    ReportWriter.Write(report, reports);
    Console.WriteLine();
    Console.WriteLine(ReportWriter.Markdown(report));
    Console.WriteLine($"Report written to {Path.GetFullPath(reports)}");
    return report.Passed ? 0 : 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("load test stopped: time limit reached or cancelled");
    return 1;
}
finally
{
    if (service is not null) await service.DisposeAsync();
}
