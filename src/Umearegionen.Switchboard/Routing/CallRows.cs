namespace Umearegionen.Switchboard.Routing;

/// <summary>A call row as the routing SQL returns it (select <see cref="Columns"/>, in this order).</summary>
internal sealed record CallRow(
    Guid Id, string PlatformCallId, string State, string? CallerNumber, string DialledNumber, string? MunicipalityCode,
    string? MenuTopic, int Priority, DateTimeOffset QueuedAt, Guid? OfferedTo, DateTimeOffset? OfferExpiresAt,
    Guid? OperatorId, DateTimeOffset? AnsweredAt, DateTimeOffset? CallerLeftAt, string? Consultation, string? Outcome)
{
    public const string Columns = """
        id, platform_call_id, state, caller_number, dialled_number, municipality_code, menu_topic, priority, queued_at,
        offered_to, offer_expires_at, operator_id, answered_at, caller_left_at, consultation::text as consultation, outcome
        """;

    // The number is removed only from finished calls (PersonalData/Redaction.cs); such a call is shown
    // without it.
    public CallView ToView(NoticeBoard notices) => new(
        Id, State, CallerNumber ?? "", DialledNumber, MunicipalityCode, MenuTopic, Priority, QueuedAt, OperatorId, AnsweredAt,
        CallerLeftAt, Consultation is null ? null : JsonSerializer.Deserialize<Destination>(Consultation, Json.Web),
        Outcome, notices.ForCall(MunicipalityCode, MenuTopic));
}

internal sealed record OperatorRow(
    Guid AccountId, string Team, string Status, string? PausedReason, DateTimeOffset IdleSince, Guid? CurrentCallId,
    Guid? OfferedCallId, DateTimeOffset StatusChangedAt, DateTimeOffset? AfterCallUntil)
{
    /// <summary>Select list over operators o; the current call and offer are on the operator's row (docs/decisions/0016).</summary>
    public const string Columns = """
        o.account_id, o.team, o.status, o.paused_reason, o.idle_since,
        o.call_id as current_call_id, o.offered_call_id,
        o.status_changed_at, case when o.status = 'wrap_up' then o.after_call_until end as after_call_until
        """;

    public OperatorState ToState() => new(AccountId, Team, Status, PausedReason, IdleSince, CurrentCallId, OfferedCallId,
        StatusChangedAt, AfterCallUntil,
        Status == OperatorStatuses.Paused && PausedReason == Sweeper.MissedOfferReason ? PausedReasons.MissedOffer : null);
}

internal static class Json
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static string Of(object value) => JsonSerializer.Serialize(value, Web);
}

internal static class ActiveOperatorAccount
{
    // The account `a` is enabled and still an operator's.
    private const string Active = "not a.disabled and a.role = 'operator'";

    /// <summary>
    /// The operator row <c>o</c> belongs to an account that is enabled and still an operator: one
    /// primary-key probe per free operator. Revocation sets the operator offline as well
    /// (<see cref="OperatorSessionEnd"/>); this keeps an operator whose stale connection set them
    /// available again, before it was closed, from ever being offered a call.
    /// </summary>
    public const string Condition = $"""
        exists (select 1 from accounts a where a.id = o.account_id and {Active})
        """;

    /// <summary>
    /// The same for the operator whose id is <paramref name="accountId"/>, as a condition PostgreSQL checks
    /// row by row as the rows come (a scalar subquery, not a join it could plan elsewhere): above a
    /// subquery that locks the candidates in order, only the rows a <c>limit</c> reaches are looked up,
    /// not every free operator (the intake, docs/decisions/0037).
    /// </summary>
    public static string Lazily(string accountId) =>
        $"coalesce((select {Active} from accounts a where a.id = {accountId}), false)";
}
