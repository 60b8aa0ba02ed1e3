using System.Collections.Concurrent;
using System.Net.Http.Json;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.TelephonySimulator;

/// <summary>
/// A stand-in for the IP-PBX: places calls through the telephony API, consumes the service's
/// instructions (acknowledging each) and reports what a real platform would report when it has
/// carried them out. Used by the integration tests, the load tests and the demo.
/// </summary>
public sealed class SimulatedPlatform(HttpClient http)
{
    private readonly ConcurrentQueue<TelephonyInstruction> _received = new();
    private readonly ConcurrentDictionary<string, string> _shownToReceiver = new();
    private long _lastSeq;
    private long _eventCounter;

    /// <summary>Every instruction received, in the order received (redeliveries included).</summary>
    public IReadOnlyCollection<TelephonyInstruction> Received => _received;

    /// <summary>
    /// What the receiving desk's phone was shown (or whispered) for each transferred call: the operator's note from the
    /// transfer instruction, by platformCallId. Only transfers carried out (<see cref="ReportOutcomes"/>) are shown.
    /// </summary>
    public IReadOnlyDictionary<string, string> ShownToReceiver => _shownToReceiver;

    /// <summary>Report what a real platform reports when it carries instructions out (answered, transferred, ended).</summary>
    public bool ReportOutcomes { get; init; } = true;

    public event Action<TelephonyInstruction>? InstructionReceived;

    public async Task<CallReceipt> PlaceCallAsync(NewCallReport report, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("/api/telephony/calls", report, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CallReceipt>(ct))!;
    }

    public Task<CallReceipt> PlaceCallAsync(string dialledNumber, string? menuTopic = null, int priority = 0, CancellationToken ct = default) =>
        PlaceCallAsync(new NewCallReport("sim-" + Guid.NewGuid().ToString("N"), RandomCaller(), dialledNumber, menuTopic, priority), ct);

    public async Task<EventReceipt> ReportAsync(string platformCallId, string type, string? eventId = null, CancellationToken ct = default)
    {
        eventId ??= $"{type}-{Interlocked.Increment(ref _eventCounter)}-{Guid.NewGuid():N}";
        using var response = await http.PostAsJsonAsync(
            $"/api/telephony/calls/{Uri.EscapeDataString(platformCallId)}/events", new CallEventReport(eventId, type), ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<EventReceipt>(ct))!;
    }

    public async Task<InstructionBatch> PollAsync(long after, int waitSeconds = 0, CancellationToken ct = default) =>
        (await http.GetFromJsonAsync<InstructionBatch>($"/api/telephony/instructions?after={after}&waitSeconds={waitSeconds}", ct))!;

    public async Task AcknowledgeAsync(IEnumerable<long> seqs, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync("/api/telephony/instructions/ack", new AcknowledgeRequest(seqs.ToList()), ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Consumes instructions until cancelled: records, carries out and acknowledges each one.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await ConsumeAsync(ct);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopped: the request cut short ends as a cancellation, an I/O error or "499 client
            // closed request", depending on the handler; none of them matters any more.
        }
    }

    private async Task ConsumeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var batch = await PollAsync(_lastSeq, waitSeconds: 5, ct);
            foreach (var instruction in batch.Instructions)
            {
                _received.Enqueue(instruction);
                InstructionReceived?.Invoke(instruction);
                if (ReportOutcomes)
                {
                    await CarryOutAsync(instruction, ct);
                }
            }

            if (batch.Instructions.Count > 0)
            {
                await AcknowledgeAsync(batch.Instructions.Select(i => i.Seq), ct);
            }

            _lastSeq = batch.LastSeq;
        }
    }

    private async Task CarryOutAsync(TelephonyInstruction instruction, CancellationToken ct)
    {
        // Event ids derive from the instruction, so a redelivered instruction reports nothing twice.
        var id = "seq-" + instruction.Seq;
        switch (instruction.Kind)
        {
            case InstructionKinds.Connect:
                await ReportAsync(instruction.PlatformCallId, PlatformEventTypes.Answered, id, ct);
                break;
            case InstructionKinds.Transfer:
                if (instruction.Note is { } note)
                {
                    _shownToReceiver[instruction.PlatformCallId] = note;
                }

                await ReportAsync(instruction.PlatformCallId, PlatformEventTypes.Transferred, id, ct);
                await ReportAsync(instruction.PlatformCallId, PlatformEventTypes.Ended, id + "-end", ct);
                break;
            case InstructionKinds.End:
                await ReportAsync(instruction.PlatformCallId, PlatformEventTypes.Ended, id, ct);
                break;
        }
    }

    public static string RandomCaller() => "+4670" + Random.Shared.Next(1000000, 9999999);
}
