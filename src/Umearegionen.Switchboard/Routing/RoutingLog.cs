namespace Umearegionen.Switchboard.Routing;

/// <summary>The routing hot path logs through source-generated methods. Caller numbers appear only as pseudonyms.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(1, LogLevel.Information, "Call {CallId} from {Caller} queued for municipality {MunicipalityCode}")]
    public static partial void CallQueued(ILogger logger, Guid callId, string caller, string? municipalityCode);

    [LoggerMessage(18, LogLevel.Information, "Call {CallId} from {Caller} for municipality {MunicipalityCode} offered on arrival")]
    public static partial void CallOfferedOnArrival(ILogger logger, Guid callId, string caller, string? municipalityCode);

    [LoggerMessage(2, LogLevel.Debug, "Call {CallId} offered to {OperatorId}")]
    public static partial void CallOffered(ILogger logger, Guid callId, Guid operatorId);

    [LoggerMessage(3, LogLevel.Information, "Offer of call {CallId} to {OperatorId} timed out; the operator is paused")]
    public static partial void OfferTimedOut(ILogger logger, Guid callId, Guid operatorId);

    [LoggerMessage(4, LogLevel.Information, "Call {CallId} taken by {OperatorId}")]
    public static partial void CallTaken(ILogger logger, Guid callId, Guid operatorId);

    [LoggerMessage(5, LogLevel.Information, "Call {CallId} completed by {OperatorId} as {Outcome}")]
    public static partial void CallCompleted(ILogger logger, Guid callId, Guid operatorId, string outcome);

    [LoggerMessage(6, LogLevel.Information, "Call {CallId} abandoned by the caller while {State}")]
    public static partial void CallAbandoned(ILogger logger, Guid callId, string state);

    [LoggerMessage(7, LogLevel.Error, "Dispatching failed; retrying")]
    public static partial void DispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "Sweeping failed; retrying at the next tick")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Operator {OperatorId} set offline after being disconnected longer than the grace period")]
    public static partial void OperatorLapsed(ILogger logger, Guid operatorId);

    [LoggerMessage(10, LogLevel.Error, "Sending live snapshots failed")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Message {MessageId} could not be sent (attempt {Attempt}): {Error}")]
    public static partial void MessageFailed(ILogger logger, Guid messageId, int attempt, string error);

    [LoggerMessage(12, LogLevel.Information, "Message {MessageId} sent")]
    public static partial void MessageSent(ILogger logger, Guid messageId);

    [LoggerMessage(13, LogLevel.Warning, "Messages are waiting but no SMTP server is configured (Smtp:Host)")]
    public static partial void NoSmtpServer(ILogger logger);

    [LoggerMessage(14, LogLevel.Error, "Suggested destinations for call {CallId} could not be computed; the call is handled without them")]
    public static partial void SuggestionsFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(15, LogLevel.Information, "Call {CallId}: {Attempt} by {OperatorId} refused ({Refusal}, {DestinationKind} {DestinationId})")]
    public static partial void DestinationRefused(ILogger logger, Guid callId, Guid operatorId, string attempt, string refusal, string destinationKind, Guid destinationId);

    [LoggerMessage(16, LogLevel.Error, "The refusal of call {CallId}'s destination could not be recorded in its history; the operator is still told")]
    public static partial void RefusalNotRecorded(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(17, LogLevel.Warning, "Pushing the offer of call {CallId} to operator {OperatorId} failed; the offer lapses and the call is offered again")]
    public static partial void OfferPushFailed(ILogger logger, Exception exception, Guid callId, Guid operatorId);

    [LoggerMessage(25, LogLevel.Error, "The caller's recent contacts for call {CallId} could not be read; the call is handled without them")]
    public static partial void RecentContactsFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(26, LogLevel.Warning, "The platform's report ({Events} events, {Acknowledgements} acknowledgements) was chosen as a deadlock's victim (attempt {Attempt}); storing it again")]
    public static partial void ReportRetried(ILogger logger, int attempt, int events, int acknowledgements);
}
