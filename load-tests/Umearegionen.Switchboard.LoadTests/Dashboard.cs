using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// A manager's dashboard: a real SignalR client receiving the coalesced QueueChanged and
/// ManagerViewChanged snapshots. A sampled few also measure:
/// <list type="bullet">
/// <item>event-to-dashboard, for every call: from sending its intake to the first manager snapshot whose
/// count of today's calls includes it. The service counts calls as it commits them, so the n-th call in
/// the count is matched with the n-th intake the service confirmed (two intakes confirmed within the
/// same moment may swap places, which moves a latency by at most that moment);</item>
/// <item>intake-to-queue-listing: to the first queue snapshot that lists the call. A snapshot lists only
/// the head of the queue (30 calls), so with a long queue this measures the wait to reach the head.</item>
/// </list>
/// </summary>
/// <remarks>With hub options (a multi-node run) it negotiates first and names itself, as <see cref="OperatorClient"/> does.</remarks>
public sealed class Dashboard(RunState run, Uri url, string token, bool measures, HubClientOptions? hub = null)
{
    private readonly ConcurrentDictionary<Guid, long> _firstListed = new();
    private readonly ConcurrentQueue<(long At, int CallsToday)> _counts = new();
    private HubConnection? _connection;
    public long Snapshots;

    public async Task StartAsync(CancellationToken stop)
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(url, "/hubs/switchboard"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = hub is null;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                if (hub is not null) o.Headers[HaproxyConfig.ClientHeader] = hub.Name;
            })
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2),
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)])
            .Build();
        _connection.ServerTimeout = TimeSpan.FromSeconds(30);
        _connection.On<ManagerView>(nameof(ISwitchboardClient.ManagerViewChanged), view =>
        {
            Interlocked.Increment(ref Snapshots);
            if (measures) _counts.Enqueue((Stopwatch.GetTimestamp(), view.CallsPerMunicipalityToday.Sum(m => m.Calls)));
        });
        _connection.On<QueueSnapshot>(nameof(ISwitchboardClient.QueueChanged), snapshot =>
        {
            Interlocked.Increment(ref Snapshots);
            if (!measures) return;
            var now = Stopwatch.GetTimestamp();
            foreach (var call in snapshot.Calls)
            {
                _firstListed.TryAdd(call.Id, now);
            }
        });
        await _connection.StartAsync(stop);
    }

    /// <summary>Records this dashboard's latencies once the run is over.</summary>
    public void RecordLatencies()
    {
        foreach (var (sentAt, seenAt) in CountMatching.Match(_counts, run.SentAtOfConfirmed))
        {
            run.EventToDashboard.Record(Stopwatch.GetElapsedTime(sentAt, seenAt), run.RunTimeOf(sentAt));
        }

        foreach (var (callId, seenAt) in _firstListed)
        {
            if (run.IntakeByCallId.TryGetValue(callId, out var sentAt) && seenAt > sentAt)
            {
                run.IntakeToQueueListing.Record(Stopwatch.GetElapsedTime(sentAt, seenAt), run.RunTimeOf(sentAt));
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
