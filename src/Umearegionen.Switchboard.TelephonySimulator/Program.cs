using System.Diagnostics;
using Umearegionen.Switchboard.TelephonySimulator;

// Places calls against a running service and carries out its instructions:
//   dotnet run --project src/Umearegionen.Switchboard.TelephonySimulator -- \
//       --url http://127.0.0.1:5080 --api-key <key> --calls 20 --rate 2 [--number +4693214000] [--topic vatten]
// or measures the full life of calls at rising rates (docs/performance.md):
//   dotnet run -c Release --project src/Umearegionen.Switchboard.TelephonySimulator -- bench --url ... --api-key ... \
//       --admin-user admin --admin-password ... [--operators 100] [--dashboards 200] [--rates 100,200,300] [--seconds 20]
// or stands in for the SMS gateway (docs/sms-gateway.md), printing each SMS the service sends:
//   dotnet run --project src/Umearegionen.Switchboard.TelephonySimulator -- sms-gateway [--port 5090] [--api-key K] [--fail 0] [--fail-status 503]
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length ? args[x.i + 1] : "");
string Option(string name, string fallback) => options.TryGetValue(name, out var v) && v.Length > 0 ? v : fallback;

if (args.Length > 0 && args[0] == "sms-gateway")
{
    var port = int.Parse(Option("port", "5090"), System.Globalization.CultureInfo.InvariantCulture);
    await using var gateway = SmsGatewaySimulator.Start(port, Option("api-key", ""), Console.Out);
    gateway.FailNext(int.Parse(Option("fail", "0"), System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(Option("fail-status", "503"), System.Globalization.CultureInfo.InvariantCulture));
    Console.WriteLine($"SMS gateway simulator on {gateway.BaseUrl} (set Sms:BaseUrl to it); Ctrl+C stops it.");
    using var stopGateway = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopGateway.Cancel(); };
    await Task.Delay(Timeout.Infinite, stopGateway.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    return 0;
}

var apiKey = Option("api-key", Environment.GetEnvironmentVariable("SWITCHBOARD_API_KEY") ?? "");
if (apiKey.Length == 0)
{
    Console.Error.WriteLine("Give the telephony API key with --api-key or SWITCHBOARD_API_KEY (create one with: api-keys create --name simulator).");
    return 2;
}

if (args.Length > 0 && args[0] == "bench")
{
    // bench --url U --api-key K --admin-user A --admin-password P [--operators 100] [--dashboards 200] [--rates 100,200] [--seconds 20]
    return await Bench.RunAsync(Option, apiKey);
}

using var http = new HttpClient { BaseAddress = new Uri(Option("url", "http://127.0.0.1:5080")) };
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
var platform = new SimulatedPlatform(http);
// A transfer's note is what the receiving phone would show: the simulator's console stands in for that display.
platform.InstructionReceived += i => Console.WriteLine(
    $"instruction {i.Seq}: {i.Kind} {i.PlatformCallId} {i.OperatorId} {i.Destination?.Name}{(i.Note is null ? "" : $" note: \"{i.Note}\"")}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var consuming = platform.RunAsync(stop.Token);

var calls = int.Parse(Option("calls", "10"), System.Globalization.CultureInfo.InvariantCulture);
var rate = double.Parse(Option("rate", "1"), System.Globalization.CultureInfo.InvariantCulture);
var numbers = Option("number", "+4693214000,+4690161000,+4693514000,+4693014000,+4693414000,+4693314000").Split(',');
var topic = Option("topic", "");
var clock = Stopwatch.StartNew();
for (var n = 0; n < calls && !stop.IsCancellationRequested; n++)
{
    var due = TimeSpan.FromSeconds(n / rate) - clock.Elapsed;
    if (due > TimeSpan.Zero)
    {
        await Task.Delay(due, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    var receipt = await platform.PlaceCallAsync(numbers[n % numbers.Length], topic.Length == 0 ? null : topic);
    Console.WriteLine($"call {receipt.PlatformCallId} queued for {receipt.MunicipalityCode ?? "unknown"}");
}

Console.WriteLine("All calls placed; carrying out instructions until Ctrl+C.");
await consuming;
return 0;
