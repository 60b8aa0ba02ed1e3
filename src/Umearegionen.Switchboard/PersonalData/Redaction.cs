namespace Umearegionen.Switchboard.PersonalData;

/// <summary>The kinds of record that hold citizens' (or staff's) personal data, as the API and the runs name them.</summary>
public static class PersonalDataKinds
{
    public const string Call = "call";
    public const string Callback = "callback";
    public const string Message = "message";
    public const string FaultReport = "fault_report";
    public const string ReferralReason = "referral_reason";
    public const string Guidance = "guidance";
}

/// <summary>
/// The one way personal data is removed, for the retention job and for an erasure alike: the personal
/// columns become null (irreversibly: no mapping is kept) and the row's personal_data_removed_at is set
/// (docs/decisions/0006). Each statement takes the ids to consider and removes only those whose use is
/// over and has been over since <c>@cutoff</c>: the condition is checked in the statement, under the
/// row's lock, so a call that is not finished, a callback still to be made or a message not yet sent
/// is never touched, whoever asks. Each returns the ids it removed.
/// </summary>
public static class Redaction
{
    /// <summary>A call is over when it is completed or abandoned; its end is completed_at (set for both).</summary>
    public const string CallOver = "c.state in ('completed', 'abandoned') and c.completed_at <= @cutoff";

    /// <summary>A callback is over when its window has passed and any follow-up is recorded, whichever is later.</summary>
    public const string CallbackOver = """
        greatest(b.window_end, (select f.recorded_at from callback_follow_ups f where f.callback_id = b.id)) <= @cutoff
        """;

    /// <summary>A message is over when it was sent, or when sending gave up (Smtp:MaxAttempts) after it was taken.</summary>
    public const string MessageOver = "coalesce(m.sent_at, case when m.attempts >= @maxAttempts then m.taken_at end) <= @cutoff";

    /// <summary>A link sent to a caller (Guidance) is over once it was sent or given up.</summary>
    public const string GuidanceOver = "g.status <> 'queued' and coalesce(g.sent_at, g.failed_at) <= @cutoff";

    /// <summary>A fault report is a public record until its retention time from registration has passed.</summary>
    public const string FaultReportOver = "r.registered_at <= @cutoff";

    /// <summary>A directory person's history entry: the referral reason is needed while the referral is recent.</summary>
    public const string ReferralOver = "a.entity_type = 'directory_person' and a.occurred_at <= @cutoff";

    // The caller's number is removed from the call, and from its events and instructions: the note of
    // an answered or transferred call (free text; a transfer's is in its instruction too) and any JSON
    // string equal to the number. Routing writes no number there today (operator ids, destinations, the
    // dialled number); the second rule keeps it so. A `received` event stored since decision 0032 holds
    // no dialled number, menu topic or priority, a `completed` event no outcome or wrap-up category (the
    // view call_history_events shows the call's): the rule reads them as the event showed them, and
    // writes them into the row when it changes it, so the history shows what it showed before.
    private const string EventData = """
        case when ev.type = 'received' and not (ev.data ? 'dialledNumber')
                 then jsonb_build_object('dialledNumber', c.dialled_number, 'menuTopic', c.menu_topic, 'priority', c.priority) || ev.data
             when ev.type = 'completed' and not (ev.data ? 'outcome')
                 then jsonb_build_object('outcome', c.outcome, 'wrapUpCategory', c.wrap_up_category) || ev.data
             else ev.data end
        """;

    private const string CallsSql = $$"""
        with c as (
            select c.id, nullif(c.caller_number, '') as number, c.dialled_number, c.menu_topic, c.priority, c.outcome, c.wrap_up_category
            from calls c
            where c.id = any(@ids) and c.personal_data_removed_at is null and {{CallOver}}
            for update
        ), u as (
            update calls set caller_number = null, personal_data_removed_at = @now
            from c where calls.id = c.id
            returning calls.id
        ), e as (
            update call_events ev
            set data = case when c.number is null then ({{EventData}}) #- '{details,note}'
                            else replace((({{EventData}}) #- '{details,note}')::text, to_jsonb(c.number)::text, 'null')::jsonb end
            from c
            where ev.call_id = c.id and ev.data is not null
              and ((ev.data #>> '{details,note}') is not null or strpos(({{EventData}})::text, to_jsonb(c.number)::text) > 0)
        ), i as (
            update telephony_instructions ti
            set payload = case when c.number is null then ti.payload - 'note'
                               else replace((ti.payload - 'note')::text, to_jsonb(c.number)::text, 'null')::jsonb end
            from c
            where ti.call_id = c.id
              and ((ti.payload ->> 'note') is not null or strpos(ti.payload::text, to_jsonb(c.number)::text) > 0)
        )
        select id from u
        """;

    // The follow-up's note is copied into its audit entries (CallbackFollowUpsApi): removed there too.
    private const string CallbacksSql = $"""
        with b as (
            select b.id from callbacks b
            where b.id = any(@ids) and b.personal_data_removed_at is null and {CallbackOver}
            for update
        ), u as (
            update callbacks set caller_number = null, caller_name = null, note = null, personal_data_removed_at = @now
            from b where callbacks.id = b.id
            returning callbacks.id
        ), f as (
            update callback_follow_ups set note = null
            from u where callback_follow_ups.callback_id = u.id and callback_follow_ups.note is not null
        ), a as (
            update audit_log set before = audit_log.before - 'note', after = audit_log.after - 'note', personal_data_removed_at = @now
            from u
            where audit_log.entity_type = 'callback_follow_up' and audit_log.entity_id = u.id::text
              and audit_log.personal_data_removed_at is null
        )
        select id from u
        """;

    private const string MessagesSql = $"""
        update messages m
        set caller_name = null, caller_number = null, text = null, last_error = null, personal_data_removed_at = @now
        where m.id = any(@ids) and m.personal_data_removed_at is null and {MessageOver}
        returning m.id
        """;

    private const string GuidanceSql = $"""
        update guidance_sends g
        set recipient = null, personal_data_removed_at = @now
        where g.id = any(@ids) and g.personal_data_removed_at is null and {GuidanceOver}
        returning g.id
        """;

    // An erasure takes the number or address from a link not yet sent as well: the caller asked, so it is not sent.
    private const string GuidanceErasureSql = """
        update guidance_sends g
        set recipient = null, personal_data_removed_at = @now,
            status = case when g.status = 'queued' then 'failed' else g.status end,
            failed_at = case when g.status = 'queued' then @now else g.failed_at end,
            last_error = case when g.status = 'queued' then 'Erased on request before it was sent.' else g.last_error end
        where g.id = any(@ids) and g.personal_data_removed_at is null
        returning g.id
        """;

    private const string FaultReportsSql = $"""
        update fault_reports r
        set what = null, location = null, contact_name = null, contact_number = null, personal_data_removed_at = @now
        where r.id = any(@ids) and r.personal_data_removed_at is null and {FaultReportOver}
        returning r.id
        """;

    private const string ReferralReasonsSql = $$"""
        update audit_log a
        set before = a.before #- '{referral,reason}', after = a.after #- '{referral,reason}', personal_data_removed_at = @now
        where a.id = any(@ids) and a.personal_data_removed_at is null and {{ReferralOver}}
        returning a.id
        """;

    public static Task<int> CallsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, CallsSql, new { ids, cutoff, now }, ct);

    public static Task<int> CallbacksAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, CallbacksSql, new { ids, cutoff, now }, ct);

    public static Task<int> MessagesAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset cutoff, int maxAttempts, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, MessagesSql, new { ids, cutoff, maxAttempts, now }, ct);

    public static Task<int> GuidanceAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, GuidanceSql, new { ids, cutoff, now }, ct);

    /// <summary>An erasure: every given link's recipient, a link still queued too (it is then given up).</summary>
    public static Task<int> GuidanceErasedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, GuidanceErasureSql, new { ids, now }, ct);

    public static Task<int> FaultReportsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, FaultReportsSql, new { ids, cutoff, now }, ct);

    public static Task<int> ReferralReasonsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long[] ids, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct) =>
        CountAsync(conn, tx, ids.Length, ReferralReasonsSql, new { ids, cutoff, now }, ct);

    private static async Task<int> CountAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int candidates, string sql, object args, CancellationToken ct) =>
        candidates == 0 ? 0 : (await conn.QueryAsync<object>(new CommandDefinition(sql, args, tx, cancellationToken: ct))).Count();
}
