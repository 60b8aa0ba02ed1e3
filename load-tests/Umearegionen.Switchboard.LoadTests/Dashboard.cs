using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// A manager's dashboard: a real SignalR client receiving the coalesced QueueChanged and
/// ManagerViewChanged snapshots. A sampled few also measure event-to-dashboard: from sending a call's
/// intake to the first queue snapshot that lists the call.
/// </summary>
public sealed class Dashboard(RunState run, Uri url, string token, bool measures)
{
    private readonly ConcurrentDictionary<Guid, long> _firstSeen = new();
    private HubConnection? _connection;
    public long Snapshots;

    public async Task StartAsync(CancellationToken stop)
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(url, "/hubs/switchboard"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2),
                TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)])
            .Build();
        _connection.ServerTimeout = TimeSpan.FromSeconds(30);
        _connection.On<ManagerView>(nameof(ISwitchboardClient.ManagerViewChanged), _ => Interlocked.Increment(ref Snapshots));
        _connection.On<QueueSnapshot>(nameof(ISwitchboardClient.QueueChanged), snapshot =>
        {
            Interlocked.Increment(ref Snapshots);
            if (!measures) return;
            var now = Stopwatch.GetTimestamp();
            foreach (var call in snapshot.Calls)
            {
                _firstSeen.TryAdd(call.Id, now);
            }
        });
        await _connection.StartAsync(stop);
    }

    /// <summary>Records event-to-dashboard for every call this dashboard saw whose intake time is known.</summary>
    public void RecordLatencies()
    {
        foreach (var (callId, seenAt) in _firstSeen)
        {
            if (run.IntakeByCallId.TryGetValue(callId, out var sentAt) && seenAt > sentAt)
            {
                run.EventToDashboard.Record(Stopwatch.GetElapsedTime(sentAt, seenAt), run.RunTimeOf(sentAt));
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
