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
