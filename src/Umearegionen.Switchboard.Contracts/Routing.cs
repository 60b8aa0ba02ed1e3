namespace Umearegionen.Switchboard.Contracts;

/// <summary>Operator statuses an operator sets (wire values).</summary>
public static class OperatorStatuses
{
    public const string Available = "available";
    public const string Paused = "paused";
    public const string WrapUp = "wrap_up";
    public const string Offline = "offline";

    public static readonly IReadOnlyList<string> All = [Available, Paused, WrapUp, Offline];
}

/// <summary>Call states (wire values).</summary>
public static class CallStates
{
    public const string Queued = "queued";
    public const string Offered = "offered";
    public const string Connected = "connected";
    public const string Completed = "completed";
    public const string Abandoned = "abandoned";
}

/// <summary>How a handled call ended (wire values).</summary>
public static class CallOutcomes
{
    public const string Transferred = "transferred";
    public const string Answered = "answered";
    public const string Callback = "callback";
    public const string Message = "message";
    public const string FaultReport = "fault_report";
    public const string Abandoned = "abandoned";
}

/// <summary>
/// Error codes of hub errors (docs/hub.md, "Errors"). A client receives "An unexpected error occurred invoking
/// '&lt;Method&gt;' on the server. HubException: &lt;code&gt;: &lt;text a person can act on&gt;"; <see cref="Read"/> takes it apart.
/// </summary>
public static class HubErrors
{
    public const string CallTaken = "call-taken";
    public const string OfferExpired = "offer-expired";
    public const string NotYourCall = "not-your-call";
    public const string AlreadyOnCall = "already-on-call";
    public const string Invalid = "invalid";
    public const string NotFound = "not-found";
    public const string WrongState = "wrong-state";
    public const string DestinationClosed = "destination-closed";
    public const string PersonAway = "person-away";

    /// <summary>The caller's session has ended (account disabled, password set, role changed); the connection closes. Sign in again.</summary>
    public const string AccountRevoked = "account-revoked";

    /// <summary>The caller's role may not call the method (e.g. a manager calling AcceptCall).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The service failed to carry the invocation out (not a refusal): it may or may not have been done.</summary>
    public const string ServerError = "server-error";

    /// <summary>What follows SignalR's prefix in every hub error: the code, a colon and a space, then the text.</summary>
    public const string Marker = "HubException: ";

    /// <summary>The code and text of a hub error as a client receives it; null when it carries no code.</summary>
    public static (string Code, string Text)? Read(string? message)
    {
        var at = message?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var body = message![(at + Marker.Length)..];
        var colon = body.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && body[..colon].All(c => c is '-' or (>= 'a' and <= 'z')) ? (body[..colon], body[(colon + 2)..]) : null;
    }
}

public sealed record SetStatusRequest(string Status, string? Reason = null);

/// <summary>A destination stored as given: kind unit, person or number; id from the directory; number dialled.</summary>
public sealed record Destination(string Kind, string? Id, string? Number, string Name);

/// <summary>
/// A transfer. AcknowledgeAway: the operator has seen that the person is away and transfers blind anyway. Note: a short
/// note for the receiving desk (one line, at most <see cref="TransferNotes.MaxLength"/> characters), passed to the
/// platform with the transfer instruction.
/// </summary>
public sealed record TransferRequest(
    Guid CallId, string Mode, Destination Destination, string WrapUpCategory, bool AcknowledgeAway = false, string? Note = null);

public static class TransferNotes
{
    public const int MaxLength = 500;
}

public sealed record ConsultRequest(Guid CallId, Destination Destination);

/// <summary>
/// The operator settled the call themselves. AnswerId: the answer (docs/answers.md) they read out, which must
/// exist, be valid today and be the call's municipality's or shared; the call is then "answered with an answer".
/// </summary>
public sealed record AnswerRequest(Guid CallId, string WrapUpCategory, string? Note = null, Guid? AnswerId = null);

public sealed record CallbackRequest(
    Guid CallId, string UnitId, string UnitName, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    string WrapUpCategory, string? CallerName = null, string? CallerNumber = null, string? Note = null);

public sealed record MessageRequest(
    Guid CallId, string RecipientKind, string? RecipientId, string RecipientName, string RecipientEmail,
    string Text, string WrapUpCategory, string? CallerName = null, string? CallerNumber = null);

public sealed record FaultReportRequest(
    Guid CallId, string MunicipalityCode, string What, string Location, string ContactNumber,
    string WrapUpCategory, string? ContactName = null);

/// <summary>A call as an operator sees it.</summary>
public sealed record CallView(
    Guid Id, string State, string CallerNumber, string DialledNumber, string? MunicipalityCode, string? MenuTopic,
    int Priority, DateTimeOffset QueuedAt, Guid? OperatorId, DateTimeOffset? AnsweredAt, DateTimeOffset? CallerLeftAt,
    Destination? Consultation, string? Outcome, IReadOnlyList<NoticeView> Notices,
    IReadOnlyList<SuggestedDestination>? Suggestions = null, string? Warning = null, IReadOnlyList<SuggestedAnswer>? Answers = null,
    IReadOnlyList<RecentContact>? RecentContacts = null);

/// <summary>
/// An earlier call from the same number as the operator's call, within Routing:RecentContactsWindow, newest first
/// (docs/hub.md, "Recent contacts"); the number itself is not repeated. At: when it came in. Outcome: a
/// <see cref="CallOutcomes"/> value. ToKind unit|person|number and ToName: where it was transferred, the unit that
/// will call back, or whom the message is for; null otherwise. UnitId and UnitName: that destination's unit in the
/// directory (a person's unit), while it is there. MunicipalityCode and MunicipalityName: that unit's municipality,
/// or a fault report's. BouncedBack: a transfer after which the caller called again within Statistics:BounceBackWindow
/// (docs/metrics.md, "Bounce-backs").
/// </summary>
public sealed record RecentContact(
    DateTimeOffset At, string Outcome, string? ToKind, string? ToName, Guid? UnitId, string? UnitName, string? MunicipalityCode,
    string? MunicipalityName, bool BouncedBack);

/// <summary>
/// An answer (docs/answers.md) an operator can read out for a call, valid today, of the dialled
/// municipality or shared by all (MunicipalityCode null), found with the call's menu topic. Answer is the
/// text to read out; UnitId and UnitName the first unit it links to, if any. Why: "notice" (a notice in
/// force for the call points to it; listed first) or "topic".
/// </summary>
public sealed record SuggestedAnswer(
    Guid Id, string Question, string Answer, string? MunicipalityCode, Guid? UnitId, string? UnitName, string Why);

/// <summary>What to offer the caller while a unit is closed (from the directory): kind none|on-call|e-service|callback|message.</summary>
public sealed record ClosedFallback(string Kind, string? Phone, string? Url, string? Text);

/// <summary>A person's referral ("hänvisning") while it lasts: away until, why, and whom to refer callers to.</summary>
public sealed record AwayNotice(DateTimeOffset? Until, string? Reason, string? ReferTo, string? ReferToPhone);

/// <summary>
/// A likely destination for a call, best first. Kind unit|person; Id is the directory id to put in a
/// <see cref="Destination"/>. OpenStatus open|closed|unknown is the unit's (a person's unit's);
/// ClosesAt when open, OpensAt when closed; ClosingSoon when closing within OpeningHours:ClosingSoonWarning.
/// Why: "topic" (matched the call's menu topic in the directory) or "municipality" (the dialled
/// municipality's units, when there is no topic or it matched nothing). EServices: a unit's e-services
/// in the directory's order (empty when it has none); null for a person.
/// </summary>
public sealed record SuggestedDestination(
    string Kind, Guid Id, string Name, string? Title, Guid UnitId, string UnitName, string MunicipalityCode, string? Phone,
    string? Email, string OpenStatus, DateTimeOffset? ClosesAt, DateTimeOffset? OpensAt, bool ClosingSoon,
    ClosedFallback WhenClosed, AwayNotice? Away, string Why, IReadOnlyList<SuggestedEService>? EServices = null);

/// <summary>
/// A suggested unit's e-service (docs/hub.md, Destinations): its name and link, and how many steps of guidance it has
/// to read to a caller (0: none). The steps themselves are not pushed: GET /api/directory/units/{unitId} has them
/// (eServices[i].steps, in the same order), fetched when the operator asks ("Visa steg").
/// </summary>
public sealed record SuggestedEService(string Name, string Url, int StepCount);

public sealed record CallOffer(CallView Call, DateTimeOffset ExpiresAt);

/// <summary>
/// An offer ended without this screen accepting it. Reason: English text for a person; Code: why, for a
/// client to word it (<see cref="OfferEndings"/>).
/// </summary>
public sealed record OfferWithdrawn(Guid CallId, string Reason, string? Code = null);

/// <summary>Why an offer was withdrawn (OfferWithdrawn.Code, wire values; docs/hub.md).</summary>
public static class OfferEndings
{
    /// <summary>Not accepted within Routing:OfferTimeout; the operator is paused (PausedReasons.MissedOffer).</summary>
    public const string TimedOut = "timed-out";

    /// <summary>The caller hung up while it rang.</summary>
    public const string CallerHungUp = "caller-hung-up";

    /// <summary>The operator left "available" (SetStatus) while it rang.</summary>
    public const string StatusChanged = "status-changed";

    /// <summary>The operator accepted it on another screen (sent to their other connections only).</summary>
    public const string AcceptedElsewhere = "accepted-elsewhere";
}

/// <summary>Why the service paused an operator (OperatorState.PausedReasonCode, wire values); null when the operator chose the reason.</summary>
public static class PausedReasons
{
    /// <summary>The operator did not answer an offered call in time.</summary>
    public const string MissedOffer = "missed-offer";
}

/// <summary>
/// An operator's own state. <see cref="StatusChangedAt"/>: when the status last changed (the time in status).
/// <see cref="AfterCallUntil"/>: set while the status is wrap_up because a call ended (after-call work), when
/// it ends on its own; null otherwise. PausedReason: the text given when pausing; PausedReasonCode: set when the
/// service paused the operator (<see cref="PausedReasons"/>).
/// </summary>
public sealed record OperatorState(
    Guid AccountId, string Team, string Status, string? PausedReason, DateTimeOffset IdleSince, Guid? CurrentCallId,
    Guid? OfferedCallId, DateTimeOffset StatusChangedAt, DateTimeOffset? AfterCallUntil, string? PausedReasonCode = null);

public sealed record QueuedCall(
    Guid Id, string State, string? MunicipalityCode, string? MenuTopic, int Priority, DateTimeOffset QueuedAt, Guid? OfferedTo);

public sealed record QueueSnapshot(DateTimeOffset At, int Length, double LongestWaitSeconds, IReadOnlyList<QueuedCall> Calls);

/// <summary>
/// An operator in the manager's list. <see cref="StatusChangedAt"/>, <see cref="IdleSince"/> and
/// <see cref="CallAnsweredAt"/> (of the call in <see cref="CallId"/>) say how long the operator has been as shown;
/// <see cref="AfterCallUntil"/> as in <see cref="OperatorState"/>.
/// </summary>
public sealed record OperatorSummary(Guid AccountId, string DisplayName, string Team, string Status, string? PausedReason,
    bool Connected, Guid? CallId, DateTimeOffset StatusChangedAt, DateTimeOffset? AfterCallUntil, DateTimeOffset IdleSince,
    DateTimeOffset? CallAnsweredAt, string? PausedReasonCode = null);

public sealed record MunicipalityCount(string MunicipalityCode, int Calls);

public sealed record ManagerView(
    DateTimeOffset At, int QueueLength, double LongestWaitSeconds, IReadOnlyDictionary<string, int> OperatorsByStatus,
    IReadOnlyList<MunicipalityCount> CallsPerMunicipalityToday,
    int AnsweredToday, int AnsweredWithinTargetToday, int AbandonedToday, double? ServiceLevelToday, int ShortAbandonedToday);

public sealed record NoticeView(
    Guid Id, string MunicipalityCode, IReadOnlyList<string> Topics, string Text, DateTimeOffset PublishedAt,
    DateTimeOffset ExpiresAt, string PublishedBy, IReadOnlyList<Guid>? AnswerIds = null);

/// <summary>Everything an operator's screen needs after (re)connecting.</summary>
public sealed record OperatorSync(
    OperatorState? Me, CallView? CurrentCall, CallOffer? Offer, QueueSnapshot Queue, IReadOnlyList<NoticeView> Notices);
