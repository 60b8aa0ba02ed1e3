namespace Umearegionen.Switchboard.PersonalData;

/// <summary>Whom an extract is about: a phone number (normalised, +46...) or a name (normalised as the access log hashes it).</summary>
public sealed record ExtractSubject(string Kind, string Value)
{
    public const string NumberKind = "number";
    public const string NameKind = "name";
}

/// <summary>Everything stored about a phone number or a name (GDPR art. 15), newest first in each kind.</summary>
public sealed record Extract(
    ExtractSubject Subject, DateTimeOffset TakenAt, int RecordCount, IReadOnlyList<ExtractCall> Calls,
    IReadOnlyList<ExtractCallback> Callbacks, IReadOnlyList<ExtractMessage> Messages, IReadOnlyList<ExtractFaultReport> FaultReports,
    IReadOnlyList<ExtractGuidance> Guidance);

/// <summary>
/// A call from the subject's number, with its events and their stored data. A callback, message or fault
/// report of the subject names its call by id; that call is listed only when it came from the number too,
/// since another number's call may be another person's (and erasure leaves it alone as well).
/// </summary>
public sealed record ExtractCall(
    Guid Id, string PlatformCallId, string? CallerNumber, string DialledNumber, string? MunicipalityCode,
    string? MenuTopic, string State, string? Outcome, string? WrapUpCategory, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt,
    DateTimeOffset? CompletedAt, string? OperatorName, IReadOnlyList<ExtractEvent> Events);

public sealed record ExtractEvent(long Id, DateTimeOffset At, string Type, string? ActorName, JsonElement? Data);

public sealed record ExtractCallback(
    Guid Id, Guid CallId, string UnitName, string? CallerNumber, string? CallerName, string? Note, DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd, DateTimeOffset BookedAt, string? BookedByName, string? FollowUpResult, string? FollowUpNote,
    DateTimeOffset? FollowUpRecordedAt);

public sealed record ExtractMessage(
    Guid Id, Guid CallId, string RecipientName, string RecipientEmail, string? CallerNumber, string? CallerName, string? Text,
    DateTimeOffset TakenAt, string? TakenByName, DateTimeOffset? SentAt);

public sealed record ExtractFaultReport(
    Guid Id, Guid CallId, string MunicipalityCode, string? What, string? Location, string? ContactName, string? ContactNumber,
    DateTimeOffset RegisteredAt, string? RegisteredByName);

/// <summary>
/// A link to an e-service or an answer sent to the subject (Guidance): to the number, or during a call from the
/// number (an e-mail address the caller gave). Recipient is null once removed.
/// </summary>
public sealed record ExtractGuidance(
    Guid Id, Guid CallId, string Channel, string? Recipient, string Title, string? Link, string Status, DateTimeOffset QueuedAt,
    DateTimeOffset? SentAt, string? SentByName);

/// <summary>
/// Finds what is stored about a subject (docs/personal-data.md, "Register extracts and erasure"). The
/// matching is the one erasure uses, so both find exactly the same records: a stored number equals the
/// searched one when both are normalised (PhoneNumbers.Normalise; every writer stores numbers
/// normalised); a name equals when both are trimmed, inner whitespace collapsed and lower-cased.
/// </summary>
public sealed class RegisterExtracts(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // A name is compared as Platform.AccessLog.NormaliseName makes it: lower(regexp_replace(btrim(col), '\s+', ' ', 'g')).
    // Callbacks, messages and fault reports are a small share of calls and have no index by number or
    // name: an extract (rare, administrators only) reads them whole.
    private const string CallbacksSql = """
        select b.id, b.call_id, b.unit_name, b.caller_number, b.caller_name, b.note, b.window_start, b.window_end, b.booked_at,
               a.display_name as booked_by_name, f.result as follow_up_result, f.note as follow_up_note,
               f.recorded_at as follow_up_recorded_at
        from callbacks b left join accounts a on a.id = b.booked_by left join callback_follow_ups f on f.callback_id = b.id
        where (@number::text is not null and b.caller_number = @number)
           or (@name::text is not null and lower(regexp_replace(btrim(b.caller_name), '\s+', ' ', 'g')) = @name)
        order by b.booked_at desc
        """;

    private const string MessagesSql = """
        select m.id, m.call_id, m.recipient_name, m.recipient_email, m.caller_number, m.caller_name, m.text, m.taken_at,
               a.display_name as taken_by_name, m.sent_at
        from messages m left join accounts a on a.id = m.taken_by
        where (@number::text is not null and m.caller_number = @number)
           or (@name::text is not null and lower(regexp_replace(btrim(m.caller_name), '\s+', ' ', 'g')) = @name)
        order by m.taken_at desc
        """;

    private const string FaultReportsSql = """
        select r.id, r.call_id, r.municipality_code, r.what, r.location, r.contact_name, r.contact_number, r.registered_at,
               a.display_name as registered_by_name
        from fault_reports r left join accounts a on a.id = r.registered_by
        where (@number::text is not null and r.contact_number = @number)
           or (@name::text is not null and lower(regexp_replace(btrim(r.contact_name), '\s+', ' ', 'g')) = @name)
        order by r.registered_at desc
        """;

    private const string GuidanceSql = $"""
        select g.id, g.call_id, g.channel, g.recipient, g.title, g.link, g.status, g.created_at as queued_at, g.sent_at,
               a.display_name as sent_by_name
        from guidance_sends g left join accounts a on a.id = g.sent_by
        where g.recipient = @number or g.call_id in ({CallHistory.CallsOfCaller})
        order by g.created_at desc
        """;

    private const string CallsSql = $"""
        select c.id, c.platform_call_id, c.caller_number, c.dialled_number, c.municipality_code, c.menu_topic, c.state, c.outcome, c.wrap_up_category,
               c.queued_at, c.answered_at, c.completed_at, a.display_name as operator_name
        from calls c left join accounts a on a.id = c.operator_id
        where c.id in ({CallHistory.CallsOfCaller})
        order by c.queued_at desc, c.id desc
        """;

    private const string EventsSql = """
        select e.call_id, e.id, e.occurred_at as at, e.type, a.display_name as actor_name, e.data::text as data
        from call_history_events e left join accounts a on a.id::text = e.actor_id
        where e.call_id = any(@ids)
        order by e.call_id, e.id
        """;

    public async Task<Extract> TakeAsync(ExtractSubject subject, CancellationToken ct)
    {
        var args = new
        {
            number = subject.Kind == ExtractSubject.NumberKind ? subject.Value : null,
            name = subject.Kind == ExtractSubject.NameKind ? subject.Value : null,
        };
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // One snapshot for the whole extract, so its parts agree with each other.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var callbacks = (await conn.QueryAsync<ExtractCallback>(new CommandDefinition(CallbacksSql, args, tx, cancellationToken: ct))).AsList();
        var messages = (await conn.QueryAsync<ExtractMessage>(new CommandDefinition(MessagesSql, args, tx, cancellationToken: ct))).AsList();
        var faults = (await conn.QueryAsync<ExtractFaultReport>(new CommandDefinition(FaultReportsSql, args, tx, cancellationToken: ct))).AsList();
        var calls = args.number is null ? []
            : (await conn.QueryAsync<CallRow>(new CommandDefinition(CallsSql, new { args.number }, tx, cancellationToken: ct))).AsList();
        var guidance = args.number is null ? []
            : (await conn.QueryAsync<ExtractGuidance>(new CommandDefinition(GuidanceSql, new { args.number }, tx, cancellationToken: ct))).AsList();
        var events = (await conn.QueryAsync<EventRow>(new CommandDefinition(
                EventsSql, new { ids = calls.Select(c => c.Id).ToArray() }, tx, cancellationToken: ct)))
            .ToLookup(e => e.CallId);
        await tx.CommitAsync(ct);

        var withEvents = calls.Select(c => c.ToCall(events[c.Id].Select(e => e.ToEvent()).ToList())).ToList();
        return new Extract(subject, clock.GetUtcNow(), withEvents.Count + callbacks.Count + messages.Count + faults.Count + guidance.Count,
            withEvents, callbacks, messages, faults, guidance);
    }

    private sealed record CallRow(
        Guid Id, string PlatformCallId, string? CallerNumber, string DialledNumber, string? MunicipalityCode,
        string? MenuTopic, string State, string? Outcome, string? WrapUpCategory, DateTimeOffset QueuedAt, DateTimeOffset? AnsweredAt,
        DateTimeOffset? CompletedAt, string? OperatorName)
    {
        public ExtractCall ToCall(IReadOnlyList<ExtractEvent> events) => new(
            Id, PlatformCallId, CallerNumber, DialledNumber, MunicipalityCode, MenuTopic, State, Outcome, WrapUpCategory,
            QueuedAt, AnsweredAt, CompletedAt, OperatorName, events);
    }

    private sealed record EventRow(Guid CallId, long Id, DateTimeOffset At, string Type, string? ActorName, string? Data)
    {
        public ExtractEvent ToEvent()
        {
            if (Data is null)
            {
                return new ExtractEvent(Id, At, Type, ActorName, null);
            }

            using var document = JsonDocument.Parse(Data);
            return new ExtractEvent(Id, At, Type, ActorName, document.RootElement.Clone());
        }
    }
}
