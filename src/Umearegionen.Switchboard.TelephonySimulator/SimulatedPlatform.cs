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

    /// <summary>
    /// Sends one report (<c>POST /api/telephony/report</c>): acknowledgements and events stored in one transaction.
    /// </summary>
    public async Task<PlatformReportReceipt> SendReportAsync(
        IEnumerable<long>? acknowledge, IEnumerable<PlatformEvent>? events, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync(
            "/api/telephony/report", new PlatformReport(acknowledge?.ToList(), events?.ToList<PlatformEvent?>()), ct);
        if (!response.IsSuccessStatusCode)
        {
            // The problem's text says what the service refused.
            var problem = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"POST /api/telephony/report answered {(int)response.StatusCode}: {problem}", null, response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync<PlatformReportReceipt>(ct))!;
    }

    /// <summary>
    /// How long an acknowledgement of an instruction that produced no event (ring_operator, stop_ringing, consult,
    /// cancel_consult) may be held for the next report: far below the service's redelivery (Telephony:RedeliverAfter, 10 s).
    /// </summary>
    public static readonly TimeSpan HoldAcknowledgementsAtMost = TimeSpan.FromSeconds(1);

    /// <summary>Reports sent (<see cref="SendReportAsync"/>) by <see cref="RunAsync"/>, held acknowledgements sent alone included.</summary>
    public long ReportsSent => Interlocked.Read(ref _reportsSent);

    private readonly Lock _holding = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private List<long> _held = [];
    private DateTimeOffset? _heldSince;
    private long _reportsSent;
    private long _polls;
    private long _receivedAgain;
    private readonly HashSet<long> _seqsReceived = [];

    /// <summary>Polls made by <see cref="RunAsync"/>.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>
    /// Instructions <see cref="RunAsync"/> received whose seq it had received before: redeliveries (10 s after they were
    /// stored, unacknowledged), and any an answer carried twice.
    /// </summary>
    public long ReceivedAgain => Interlocked.Read(ref _receivedAgain);

    /// <summary>
    /// Consumes instructions until cancelled: records and carries out every instruction a poll brings, then sends one
    /// report with their acknowledgements and every event they produced. Acknowledgements of a poll that produced no
    /// event are held for the next report, at most <see cref="HoldAcknowledgementsAtMost"/>: then they are sent alone.
    /// </summary>
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
        using var timer = new PeriodicTimer(HoldAcknowledgementsAtMost / 4);
        var flushing = FlushHeldAsync(timer, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = await PollAsync(_lastSeq, waitSeconds: 5, ct);
                Interlocked.Increment(ref _polls);
                var work = new List<(long Seq, List<PlatformEvent> Events)>();
                foreach (var instruction in batch.Instructions)
                {
                    if (!_seqsReceived.Add(instruction.Seq))
                    {
                        Interlocked.Increment(ref _receivedAgain);
                    }

                    _received.Enqueue(instruction);
                    InstructionReceived?.Invoke(instruction);
                    var events = new List<PlatformEvent>();
                    if (ReportOutcomes)
                    {
                        CarryOut(instruction, events);
                    }

                    work.Add((instruction.Seq, events));
                }

                if (work.Count > 0)
                {
                    await ReportAsync(work, ct);
                }

                _lastSeq = batch.LastSeq;
            }
        }
        finally
        {
            timer.Dispose();
            await flushing;
        }
    }

    // Events go at once, with every acknowledgement held; acknowledgements alone are held for the next report.
    private async Task ReportAsync(List<(long Seq, List<PlatformEvent> Events)> work, CancellationToken ct)
    {
        if (work.All(w => w.Events.Count == 0))
        {
            lock (_holding)
            {
                _held.AddRange(work.Select(w => w.Seq));
                _heldSince ??= DateTimeOffset.UtcNow;
            }

            return;
        }

        await _sending.WaitAsync(ct);
        var reports = Reports(TakeHeld(), work);
        try
        {
            for (var i = 0; i < reports.Count; i++)
            {
                try
                {
                    await SendReportAsync(reports[i].Acknowledge, reports[i].Events.Count == 0 ? null : reports[i].Events, ct);
                    Interlocked.Increment(ref _reportsSent);
                }
                catch (Exception)
                {
                    // Not stored: the acknowledgements go with the next report (this poll's instructions come again).
                    Hold([.. reports.Skip(i).SelectMany(r => r.Acknowledge)]);
                    throw;
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// One poll's work as reports within the service's limits (<see cref="PlatformReport.MaxAcknowledge"/>,
    /// <see cref="PlatformReport.MaxEvents"/>): each instruction's acknowledgement in the same report as its events,
    /// in seq order; the held acknowledgements first. A platform that fell behind gets batches of up to 500 instructions
    /// (the poll's limit), whose events can be twice as many (a transfer reports two).
    /// </summary>
    public static List<(List<long> Acknowledge, List<PlatformEvent> Events)> Reports(
        IReadOnlyList<long> held, IReadOnlyList<(long Seq, List<PlatformEvent> Events)> work)
    {
        var reports = new List<(List<long> Acknowledge, List<PlatformEvent> Events)>();
        var acknowledge = new List<long>();
        var events = new List<PlatformEvent>();
        void Send()
        {
            if (acknowledge.Count > 0 || events.Count > 0)
            {
                reports.Add((acknowledge, events));
                acknowledge = [];
                events = [];
            }
        }

        foreach (var seq in held)
        {
            if (acknowledge.Count == PlatformReport.MaxAcknowledge)
            {
                Send();
            }

            acknowledge.Add(seq);
        }

        foreach (var (seq, produced) in work)
        {
            if (acknowledge.Count == PlatformReport.MaxAcknowledge || events.Count + produced.Count > PlatformReport.MaxEvents)
            {
                Send();
            }

            acknowledge.Add(seq);
            events.AddRange(produced);
        }

        Send();
        return reports;
    }

    private void Hold(List<long> seqs)
    {
        lock (_holding)
        {
            _held.InsertRange(0, seqs);
            _heldSince ??= DateTimeOffset.UtcNow;
        }
    }

    private List<long> TakeHeld()
    {
        lock (_holding)
        {
            var held = _held;
            _held = [];
            _heldSince = null;
            return held;
        }
    }

    // Sends held acknowledgements alone once the oldest has waited most of HoldAcknowledgementsAtMost.
    private async Task FlushHeldAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                lock (_holding)
                {
                    if (_heldSince is not { } since || DateTimeOffset.UtcNow - since < HoldAcknowledgementsAtMost * 0.75)
                    {
                        continue;
                    }
                }

                await _sending.WaitAsync(ct);
                var held = TakeHeld();
                var sent = 0;
                try
                {
                    foreach (var report in Reports(held, []))
                    {
                        await SendReportAsync(report.Acknowledge, null, ct);
                        sent += report.Acknowledge.Count;
                        Interlocked.Increment(ref _reportsSent);
                    }
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Not stored: held again for the next report or tick (the service redelivers after 10 s in any case).
                    Hold(held[sent..]);
                }
                finally
                {
                    _sending.Release();
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private void CarryOut(TelephonyInstruction instruction, List<PlatformEvent> events)
    {
        // Event ids derive from the instruction, so a redelivered instruction reports nothing twice. Each event
        // names the instruction it answers (instructionSeq): the service stores it on that instruction.
        var id = "seq-" + instruction.Seq;
        switch (instruction.Kind)
        {
            case InstructionKinds.Connect:
                events.Add(new PlatformEvent(instruction.PlatformCallId, id, PlatformEventTypes.Answered, InstructionSeq: instruction.Seq));
                break;
            case InstructionKinds.Transfer:
                if (instruction.Note is { } note)
                {
                    _shownToReceiver[instruction.PlatformCallId] = note;
                }

                events.Add(new PlatformEvent(instruction.PlatformCallId, id, PlatformEventTypes.Transferred, InstructionSeq: instruction.Seq));
                events.Add(new PlatformEvent(instruction.PlatformCallId, id + "-end", PlatformEventTypes.Ended, InstructionSeq: instruction.Seq));
                break;
            case InstructionKinds.End:
                events.Add(new PlatformEvent(instruction.PlatformCallId, id, PlatformEventTypes.Ended, InstructionSeq: instruction.Seq));
                break;
        }
    }

    public static string RandomCaller() => "+4670" + Random.Shared.Next(1000000, 9999999);
}
