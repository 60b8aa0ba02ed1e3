namespace Umearegionen.Switchboard.Routing;

/// <summary>One call in a list of calls (GET /api/calls), newest first.</summary>
public sealed record CallSummary(
    Guid Id, string PlatformCallId, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? CompletedAt,
    string State, string? Outcome, string? WrapUpCategory, string? MunicipalityCode, string? MenuTopic, string DialledNumber,
    string? OperatorName, string? CallerNumber, string CallerNumberStatus);

/// <summary>A call with its whole life (GET /api/calls/{id}).</summary>
public sealed record CallHistoryView(
    CallSummary Call, int? WaitSeconds, int? HandleSeconds, int? WrapUpSeconds,
    IReadOnlyList<TimelineEntry> Timeline, CallbackRecord? Callback, MessageRecord? Message, FaultReportRecord? FaultReport);

/// <summary>
/// One step of a call's life. <c>Type</c> is the stored event type; <c>Summary</c> says it in plain
/// (English) words; the other fields carry what the step names, for a client to word it itself.
/// AnswerId and AnswerQuestion: the answer a call answered with an answer was settled with (the question as it read then).
/// </summary>
public sealed record TimelineEntry(
    long Id, DateTimeOffset At, string Type, string Summary, string Actor, string? ActorName, string? OperatorName,
    string? OfferEnded, Destination? To, string? TransferMode, string? Outcome, string? WrapUpCategory, string? Note,
    Guid? AnswerId = null, string? AnswerQuestion = null);

/// <summary>
/// An outcome record. The personal fields (the caller's number and name, free text) are null when
/// <c>PersonalData</c> is "hidden" (the reader may not see them) or "removed" (retention or erasure).
/// </summary>
public sealed record CallbackRecord(
    Guid Id, string UnitId, string UnitName, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset BookedAt,
    string? BookedByName, string PersonalData, string? CallerNumber, string? CallerName, string? Note, CallbackFollowUp? FollowUp);

public sealed record CallbackFollowUp(string Result, DateTimeOffset RecordedAt, string? Note);

public sealed record MessageRecord(
    Guid Id, string RecipientKind, string RecipientName, string RecipientEmail, DateTimeOffset TakenAt, string? TakenByName,
    DateTimeOffset? SentAt, int Attempts, string PersonalData, string? CallerNumber, string? CallerName, string? Text);

public sealed record FaultReportRecord(
    Guid Id, string MunicipalityCode, DateTimeOffset RegisteredAt, string? RegisteredByName, string PersonalData,
    string? What, string? Location, string? ContactName, string? ContactNumber);

public sealed record CallSearch(
    DateTimeOffset? From, DateTimeOffset? To, string? PlatformCallId, string? CallerNumber, DateTimeOffset? BeforeAt, Guid? BeforeId,
    int Limit);

/// <summary>Whether personal fields are shown: to administrators, and only while they are stored.</summary>
public static class PersonalDataStatus
{
    public const string Shown = "shown";
    public const string Hidden = "hidden";
    public const string Removed = "removed";
}

/// <summary>
/// Reads a call's history from routing's tables (docs/personal-data.md, "A call's history"). Every
/// read goes through an index by call id. How an offer ended is kept in the call's events alone (the
/// event after its <c>offered</c>), and how a transfer was made is read from them too:
/// <c>telephony_instructions</c> has no index by call.
/// </summary>
public sealed class CallHistory(NpgsqlDataSource dataSource)
{
    private const string SummaryColumns = """
        c.id, c.platform_call_id, c.queued_at, c.answered_at, c.completed_at, c.state, c.outcome, c.wrap_up_category,
        c.municipality_code, c.menu_topic, c.dialled_number, a.display_name as operator_name, c.caller_number
        """;

    // The filters every list shares; a null parameter leaves its filter out (Npgsql sends the values,
    // so each statement is planned for the filters it has).
    private const string Filters = """
        (@from::timestamptz is null or c.queued_at >= @from)
        and (@to::timestamptz is null or c.queued_at < @to)
        and (@platformCallId::text is null or c.platform_call_id = @platformCallId)
        and (@beforeAt::timestamptz is null or (c.queued_at, c.id) < (@beforeAt, @beforeId))
        """;

    /// <summary>
    /// The calls of a caller number, ended or under way, through calls_by_caller (caller_number, queued_at;
    /// 0350_calls_end_made_hot.sql): one index scan. The index is full, so the call's end writes no entry in it
    /// (docs/call-cost.md P11).
    /// </summary>
    public const string CallsOfCaller = "select id from calls where caller_number = @number";

    /// <summary>The list of calls, newest first (QueryPlanTests read its plan).</summary>
    public const string ListSql = $"""
        select {SummaryColumns}
        from calls c left join accounts a on a.id = c.operator_id
        where {Filters}
        order by c.queued_at desc, c.id desc
        limit @limit
        """;

    /// <summary>The calls of one caller number, newest first, read backwards through calls_by_caller (QueryPlanTests read its plan).</summary>
    public const string ListByNumberSql = $"""
        select {SummaryColumns}
        from calls c left join accounts a on a.id = c.operator_id
        where c.caller_number = @number and {Filters}
        order by c.queued_at desc, c.id desc
        limit @limit
        """;

    public async Task<IReadOnlyList<CallRecordRow>> SearchAsync(CallSearch search, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallRecordRow>(new CommandDefinition(search.CallerNumber is null ? ListSql : ListByNumberSql, new
        {
            from = search.From, to = search.To, platformCallId = search.PlatformCallId, number = search.CallerNumber,
            beforeAt = search.BeforeAt, beforeId = search.BeforeId, limit = search.Limit,
        }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>When the call a page ended with was queued: the next page starts below it. Null when there is no such call.</summary>
    public async Task<DateTimeOffset?> QueuedAtAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "select queued_at from calls where id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<CallHistoryView?> FindAsync(Guid id, bool personal, CancellationToken ct)
    {
        const string CallSql = $"""
            select {SummaryColumns}, f.wait_seconds, f.handle_seconds, f.wrap_up_seconds
            from calls c left join accounts a on a.id = c.operator_id left join call_facts f on f.call_id = c.id
            where c.id = @id
            """;
        const string EventsSql = """
            select e.id, e.occurred_at, e.type, e.actor_id, actor.display_name as actor_name, e.data::text as data,
                   target.display_name as operator_name
            from call_history_events e
            left join accounts actor on actor.id::text = e.actor_id
            left join accounts target on target.id::text = e.data ->> 'operatorId'
            where e.call_id = @id
            order by e.id
            """;
        const string CallbackSql = """
            select b.id, b.unit_id, b.unit_name, b.window_start, b.window_end, b.booked_at, a.display_name as booked_by_name,
                   b.caller_number, b.caller_name, b.note, f.result as follow_up_result, f.recorded_at as follow_up_recorded_at,
                   f.note as follow_up_note
            from callbacks b left join accounts a on a.id = b.booked_by left join callback_follow_ups f on f.callback_id = b.id
            where b.call_id = @id
            """;
        const string MessageSql = """
            select m.id, m.recipient_kind, m.recipient_name, m.recipient_email, m.taken_at, a.display_name as taken_by_name,
                   m.sent_at, m.attempts, m.caller_number, m.caller_name, m.text
            from messages m left join accounts a on a.id = m.taken_by
            where m.call_id = @id
            """;
        const string FaultReportSql = """
            select r.id, r.municipality_code, r.registered_at, a.display_name as registered_by_name, r.what, r.location,
                   r.contact_name, r.contact_number
            from fault_reports r left join accounts a on a.id = r.registered_by
            where r.call_id = @id
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallDetailRow>(new CommandDefinition(CallSql, new { id }, cancellationToken: ct));
        if (call is null)
        {
            return null;
        }

        var events = (await conn.QueryAsync<EventRow>(new CommandDefinition(EventsSql, new { id }, cancellationToken: ct))).AsList();
        var callback = await conn.QuerySingleOrDefaultAsync<CallbackRow>(new CommandDefinition(CallbackSql, new { id }, cancellationToken: ct));
        var message = await conn.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(MessageSql, new { id }, cancellationToken: ct));
        var fault = await conn.QuerySingleOrDefaultAsync<FaultReportRow>(new CommandDefinition(FaultReportSql, new { id }, cancellationToken: ct));
        var summary = new CallRecordRow(call.Id, call.PlatformCallId, call.QueuedAt, call.AnsweredAt, call.CompletedAt, call.State, call.Outcome,
            call.WrapUpCategory, call.MunicipalityCode, call.MenuTopic, call.DialledNumber, call.OperatorName, call.CallerNumber);
        return new CallHistoryView(
            summary.ToSummary(personal), call.WaitSeconds, call.HandleSeconds, call.WrapUpSeconds,
            CallTimeline.Build(events, personal),
            callback?.ToRecord(personal), message?.ToRecord(personal), fault?.ToRecord(personal));
    }

    /// <summary>Status of a set of personal fields: hidden from this reader, removed when a field stored as required is gone.</summary>
    internal static string Status(bool personal, bool removed) =>
        !personal ? PersonalDataStatus.Hidden : removed ? PersonalDataStatus.Removed : PersonalDataStatus.Shown;

    private sealed record CallDetailRow(
        Guid Id, string PlatformCallId, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? CompletedAt, string State,
        string? Outcome, string? WrapUpCategory, string? MunicipalityCode, string? MenuTopic, string DialledNumber, string? OperatorName,
        string? CallerNumber, int? WaitSeconds, int? HandleSeconds, int? WrapUpSeconds);

    private sealed record CallbackRow(
        Guid Id, string UnitId, string UnitName, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset BookedAt,
        string? BookedByName, string? CallerNumber, string? CallerName, string? Note, string? FollowUpResult,
        DateTimeOffset? FollowUpRecordedAt, string? FollowUpNote)
    {
        public CallbackRecord ToRecord(bool personal) => new(
            Id, UnitId, UnitName, WindowStart, WindowEnd, BookedAt, BookedByName, Status(personal, CallerNumber is null),
            personal ? CallerNumber : null, personal ? CallerName : null, personal ? Note : null,
            FollowUpResult is null ? null : new CallbackFollowUp(FollowUpResult, FollowUpRecordedAt!.Value, personal ? FollowUpNote : null));
    }

    private sealed record MessageRow(
        Guid Id, string RecipientKind, string RecipientName, string RecipientEmail, DateTimeOffset TakenAt, string? TakenByName,
        DateTimeOffset? SentAt, int Attempts, string? CallerNumber, string? CallerName, string? Text)
    {
        public MessageRecord ToRecord(bool personal) => new(
            Id, RecipientKind, RecipientName, RecipientEmail, TakenAt, TakenByName, SentAt, Attempts,
            Status(personal, CallerNumber is null || Text is null),
            personal ? CallerNumber : null, personal ? CallerName : null, personal ? Text : null);
    }

    private sealed record FaultReportRow(
        Guid Id, string MunicipalityCode, DateTimeOffset RegisteredAt, string? RegisteredByName, string? What, string? Location,
        string? ContactName, string? ContactNumber)
    {
        public FaultReportRecord ToRecord(bool personal) => new(
            Id, MunicipalityCode, RegisteredAt, RegisteredByName, Status(personal, ContactNumber is null || What is null),
            personal ? What : null, personal ? Location : null, personal ? ContactName : null, personal ? ContactNumber : null);
    }
}

/// <summary>A call as the list reads it; the caller's number is null once removed by retention or erasure.</summary>
public sealed record CallRecordRow(
    Guid Id, string PlatformCallId, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? CompletedAt, string State,
    string? Outcome, string? WrapUpCategory, string? MunicipalityCode, string? MenuTopic, string DialledNumber, string? OperatorName,
    string? CallerNumber)
{
    public CallSummary ToSummary(bool personal) => new(
        Id, PlatformCallId, QueuedAt, AnsweredAt, CompletedAt, State, Outcome, WrapUpCategory, MunicipalityCode, MenuTopic,
        DialledNumber, OperatorName, personal ? CallerNumber : null, CallHistory.Status(personal, CallerNumber is null));
}

/// <summary>A stored call event with the names of the accounts it mentions.</summary>
public sealed record EventRow(long Id, DateTimeOffset OccurredAt, string Type, string? ActorId, string? ActorName, string? Data, string? OperatorName);
