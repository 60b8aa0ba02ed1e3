namespace Umearegionen.Switchboard.Contracts;

/// <summary>The telephony platform reports a new call (docs/telephony.md).</summary>
public sealed record NewCallReport(
    string PlatformCallId, string CallerNumber, string DialledNumber, string? MenuTopic = null, int Priority = 0);

/// <summary>How a caller number is written when the caller withheld it (docs/telephony.md).</summary>
public static class CallerNumbers
{
    public const string Anonymous = "anonymous";
}

/// <summary>The platform reports what happened to a call: answered, transferred or ended.</summary>
public sealed record CallEventReport(string EventId, string Type, DateTimeOffset? OccurredAt = null);

public static class PlatformEventTypes
{
    public const string Answered = "answered";
    public const string Transferred = "transferred";
    public const string Ended = "ended";

    public static readonly IReadOnlyList<string> All = [Answered, Transferred, Ended];
}

public sealed record CallReceipt(Guid CallId, string PlatformCallId, string State, string? MunicipalityCode, bool Created);

public sealed record EventReceipt(Guid CallId, string State, bool Recorded);

/// <summary>
/// One instruction to the platform. Redelivered until acknowledged; act on each seq once. Note: on a transfer, the
/// operator's note for the receiving desk (shown on its phone or whispered), else null.
/// </summary>
public sealed record TelephonyInstruction(
    long Seq, string PlatformCallId, string Kind, Guid? OperatorId, string? Mode, Destination? Destination,
    DateTimeOffset CreatedAt, string? Note = null);

public sealed record InstructionBatch(IReadOnlyList<TelephonyInstruction> Instructions, long LastSeq);

public sealed record AcknowledgeRequest(IReadOnlyList<long> Seqs);

/// <summary>
/// The platform reports in one request what it has done: instructions carried out and events, stored in one
/// transaction (docs/telephony.md, <c>POST /api/telephony/report</c>). Either list may be missing, not both empty.
/// </summary>
public sealed record PlatformReport(IReadOnlyList<long>? Acknowledge, IReadOnlyList<PlatformEvent?>? Events)
{
    /// <summary>The most instructions one report may acknowledge, and the most events it may carry.</summary>
    public const int MaxAcknowledge = 5000, MaxEvents = 500;
}

/// <summary>
/// One event of a <see cref="PlatformReport"/>: as <see cref="CallEventReport"/>, naming its call. InstructionSeq
/// (optional): the seq of the instruction whose carrying-out produced the event; such an event is stored on that
/// instruction (docs/telephony.md, docs/decisions/0026).
/// </summary>
public sealed record PlatformEvent(string PlatformCallId, string EventId, string Type, DateTimeOffset? OccurredAt = null, long? InstructionSeq = null);

/// <summary>
/// The answer to a <see cref="PlatformReport"/>, sent once it is committed: how many instructions it acknowledged
/// that were not acknowledged before, and one receipt per event in the order reported.
/// </summary>
public sealed record PlatformReportReceipt(int Acknowledged, IReadOnlyList<ReportedEvent> Events);

/// <summary>
/// What became of one event of a report (<see cref="ReportedEventOutcomes"/>); CallId and State are null when
/// no call with that platformCallId was reported.
/// </summary>
public sealed record ReportedEvent(string PlatformCallId, string EventId, string Outcome, Guid? CallId, string? State, bool Recorded);

public static class ReportedEventOutcomes
{
    /// <summary>Stored now.</summary>
    public const string Recorded = "recorded";

    /// <summary>The call already has an event with this eventId: nothing changed.</summary>
    public const string AlreadyRecorded = "already_recorded";

    /// <summary>No call with this platformCallId was reported: nothing stored for this event.</summary>
    public const string UnknownCall = "unknown_call";
}

public static class InstructionKinds
{
    /// <summary>Ring the operator's phone: the call is offered to them.</summary>
    public const string RingOperator = "ring_operator";

    /// <summary>Stop ringing: the offer ended without acceptance.</summary>
    public const string StopRinging = "stop_ringing";

    /// <summary>Connect the caller to the operator who accepted.</summary>
    public const string Connect = "connect";

    /// <summary>Hold the caller and dial the destination for the operator (attended transfer).</summary>
    public const string Consult = "consult";

    /// <summary>Hang up the consultation leg and return to the caller.</summary>
    public const string CancelConsult = "cancel_consult";

    /// <summary>Transfer the caller to the destination (blind, or completing the consultation).</summary>
    public const string Transfer = "transfer";

    /// <summary>The switchboard has finished the call: release it.</summary>
    public const string End = "end";
}
