using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.TelephonySimulator;

/// <summary>
/// A first measurement of the full life of a call (intake, offer, accept, transfer, end) at rising
/// call rates, with operators and manager dashboards connected over the real hub. Not the load-test
/// harness: one process, open-loop arrivals, latency measured by the client from sending the intake
/// to receiving the offer.
/// </summary>
public static class Bench
{
    private sealed record Login(string AccessToken);

    private sealed record Created(Guid Id);

    public static async Task<int> RunAsync(Func<string, string, string> option, string apiKey)
    {
        var url = new Uri(option("url", "http://127.0.0.1:5080"));
        var operatorCount = Int(option("operators", "100"));
        var dashboardCount = Int(option("dashboards", "200"));
        var seconds = Int(option("seconds", "20"));
        var rates = option("rates", "100,200,300,400,500").Split(',').Select(Int).ToList();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = url };
        var admin = await LoginAsync(http, option("admin-user", "admin"), option("admin-password", ""));
        var run = Guid.NewGuid().ToString("N")[..6];
        var operatorTokens = new List<string>();
        for (var i = 0; i < operatorCount; i++)
        {
            operatorTokens.Add(await CreateAndLoginAsync(http, admin, $"bench-{run}-op{i}", "operator", "2403"));
        }

        var managerToken = await CreateAndLoginAsync(http, admin, $"bench-{run}-mgr", "manager", null);

        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var completed = 0;
        var errors = 0;
        var snapshots = 0;

        var operators = new List<HubConnection>();
        foreach (var token in operatorTokens)
        {
            var connection = Hub(url, token);
            connection.On<CallOffer>(nameof(ISwitchboardClient.OfferReceived), offer =>
            {
                if (sent.TryRemove(offer.Call.CallerNumber, out var start))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                // Never await an invocation inside a handler: the client handles one message at a time.
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await connection.InvokeAsync<CallView>("AcceptCall", offer.Call.Id);
                        await connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(
                            offer.Call.Id, "blind", new Destination("number", null, "+4690161000", "Umeå kommun"), "bench"));
                        Interlocked.Increment(ref completed);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref errors);
                    }
                });
            });
            await connection.StartAsync();
            await connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Available));
            operators.Add(connection);
        }

        var dashboards = new List<HubConnection>();
        for (var i = 0; i < dashboardCount; i++)
        {
            var connection = Hub(url, managerToken);
            connection.On<ManagerView>(nameof(ISwitchboardClient.ManagerViewChanged), _ => Interlocked.Increment(ref snapshots));
            await connection.StartAsync();
            dashboards.Add(connection);
        }

        using var platformHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = url };
        platformHttp.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        var platform = new SimulatedPlatform(platformHttp);
        using var stop = new CancellationTokenSource();
        var consuming = platform.RunAsync(stop.Token);

        Console.WriteLine($"{operatorCount} operators and {dashboardCount} dashboards connected; {seconds} s per rate.");
        Console.WriteLine("| calls/s offered | calls placed | full lives completed | intake→offer p50 | p95 | p99 | max | errors | dashboard snapshots/s |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var caller = 0L;
        foreach (var rate in rates)
        {
            latencies.Clear();
            Interlocked.Exchange(ref completed, 0);
            Interlocked.Exchange(ref errors, 0);
            Interlocked.Exchange(ref snapshots, 0);
            var total = rate * seconds;
            var clock = Stopwatch.StartNew();
            var inFlight = new List<Task>(total);
            for (var n = 0; n < total; n++)
            {
                var due = TimeSpan.FromSeconds((double)n / rate) - clock.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due);
                }

                var number = "+4670" + Interlocked.Increment(ref caller).ToString("D7", CultureInfo.InvariantCulture);
                inFlight.Add(Task.Run(async () =>
                {
                    sent[number] = Stopwatch.GetTimestamp();
                    try
                    {
                        await platform.PlaceCallAsync(new NewCallReport("bench-" + Guid.NewGuid().ToString("N"), number, "+4693214000"));
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }));
            }

            await Task.WhenAll(inFlight);
            var until = Stopwatch.StartNew();
            while (Volatile.Read(ref completed) + Volatile.Read(ref errors) < total && until.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            var sorted = latencies.OrderBy(x => x).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rate} | {total} | {completed} | {P(sorted, 0.50):0.0} ms | {P(sorted, 0.95):0.0} ms | {P(sorted, 0.99):0.0} ms | {(sorted.Count == 0 ? 0 : sorted[^1]):0.0} ms | {errors} | {snapshots / elapsed / Math.Max(1, dashboardCount):0.0} per dashboard |"));
            sent.Clear();
            await Task.Delay(2000);
        }

        await stop.CancelAsync();
        await consuming;
        foreach (var connection in operators.Concat(dashboards))
        {
            await connection.DisposeAsync();
        }

        return 0;
    }

    private static double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static HubConnection Hub(Uri url, string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(url, "/hubs/switchboard"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();

    private static async Task<string> LoginAsync(HttpClient http, string username, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { username, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Login>())!.AccessToken;
    }

    private static async Task<string> CreateAndLoginAsync(HttpClient http, string adminToken, string username, string role, string? municipality)
    {
        var password = "bench-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts")
        {
            Content = JsonContent.Create(new { username, displayName = username, role, municipalityCode = municipality, password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await LoginAsync(http, username, password);
    }
}
