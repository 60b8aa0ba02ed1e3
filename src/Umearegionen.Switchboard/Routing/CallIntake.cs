using NpgsqlTypes;

namespace Umearegionen.Switchboard.Routing;

/// <summary>What the telephony platform reports: new calls and what happened to them. Idempotent on its ids.</summary>
public sealed class CallIntake(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, Dispatcher dispatcher,
    Instructions instructions, RoutingNotifier notifier, NoticeBoard notices, ClusterSignals signals, ILogger<CallIntake> logger)
{
    // One statement: the call, its first event, the offer when there is a free operator, and (on a
    // retry) the call already stored. An offer made here is stored in the `received` event's data
    // ("offer": operator and expiry, as an `offered` event's data), one row where there were two; the
    // history's readers see it as its own `offered` event by the intake through the view
    // call_history_events (docs/decisions/0023, docs/call-cost.md P9). The dialled number, menu topic
    // and priority are the call's own columns, which never change: the `received` event no longer
    // repeats them, and the view shows them in its data from the call (docs/decisions/0032).
    // The operator is chosen as RoutingPolicy.Assign would in a round: the free main-team operators
    // in the order of idle longest, the first of them left to the calls already waiting (the next
    // round offers those), and the cover team left to the dispatcher, after the threshold. So a new
    // call never takes the operator a waiting call would get. The waiting calls are counted only as
    // far as there are free operators (none when no one is free): a long queue costs the intake
    // nothing (docs/decisions/0037). Whether an operator's account is still an enabled operator's is
    // looked up only for the operators the statement reaches in that order (one with no queue), not for
    // every free operator (decision 0037).
    // The operator's row is locked, skipping any that another intake or the dispatcher holds, and
    // only if its count of assignments (docs/decisions/0008) is still the one read and it holds neither
    // an offer nor a call (docs/decisions/0016): PostgreSQL checks the lock's condition again on the
    // newest version of a row changed since the read, while `cand` keeps what was read. An offer made
    // meanwhile to the operator therefore rules them out, and a call that finds no one is queued for
    // the dispatcher. The offer is written on the locked row once the call is stored (`op`): a retry
    // that stores nothing offers nothing.
    internal static readonly string ReceiveSql = $"""
        with avail as materialized (
            select o.account_id, o.assignments, o.idle_since
            from operators o
            where @offerOnArrival
              and o.team = 'main' and o.status = 'available' and o.disconnected_at is null
              and o.offered_call_id is null and o.call_id is null
              and not exists (select 1 from calls where platform_call_id = @platformCallId)
        ), cand as (
            select * from avail
            order by idle_since, account_id
            offset (select count(*) from (select 1 from call_queue limit (select count(*) from avail)) waiting)
        ), free as (
            select locked.account_id
            from (select l.account_id
                  from operators l join cand on cand.account_id = l.account_id
                  where l.assignments = cand.assignments and l.status = 'available' and l.disconnected_at is null
                    and l.offered_call_id is null and l.call_id is null
                  order by cand.idle_since, cand.account_id
                  for update of l skip locked) locked
            where {ActiveOperatorAccount.Lazily("locked.account_id")}
            limit 1
        ), c as (
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic,
                               priority, state, queued_at, offered_to, offered_at, offer_expires_at)
            select @id, @platformCallId, @caller, @dialled,
                   (select municipality_code from dialled_numbers where number = @dialled),
                   @topic, @priority, case when free.account_id is null then 'queued' else 'offered' end, @now,
                   free.account_id, case when free.account_id is not null then @now end,
                   case when free.account_id is not null then @expires end
            from (values (1)) one (x) left join free on true
            where not exists (select 1 from calls where platform_call_id = @platformCallId)
            returning {CallRow.Columns}
        ), op as (
            update operators o set assignments = o.assignments + 1, offered_call_id = c.id
            from c
            where o.account_id = c.offered_to
        ), q as (
            insert into call_queue (call_id, priority, queued_at)
            select id, priority, queued_at from c where state = 'queued'
        ), e as (
            {CallSql.InsertEvent}
            select c.id, 'received', @now, 'telephony',
                   case when c.state = 'offered' then jsonb_build_object('offer', {CallSql.OfferedData}) else jsonb_build_object() end
            from c
        ), {CallSql.Offer("c where state = 'offered'")}
        select {CallRow.Columns}, true as created from c
        union all
        select {CallRow.Columns}, false from calls where platform_call_id = @platformCallId
        """;

    /// <summary>
    /// Stores a new call and, when a main-team operator is free beyond those the calls already waiting
    /// will get, offers it to them in the same statement: such a call does not wait for the
    /// dispatcher's next round. Any other call is queued and the dispatcher woken.
    /// A retry (a platform call id already stored) stores nothing; when it carries other data than the
    /// call stored, the answer names the fields that differ (<see cref="Intake.Differs"/>).
    /// </summary>
    public async Task<Intake> ReceiveAsync(NewCallReport report, CancellationToken ct)
    {
        // The clock is read once the connection is held: the call's row is committed within this one
        // statement of its queued_at, which the manager's figures rely on (TodayCounts).
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var now = clock.GetUtcNow();
        var expires = now + options.Value.OfferTimeout;
        var args = new
        {
            id = Guid.CreateVersion7(now),
            platformCallId = report.PlatformCallId,
            caller = CallerNumber(report.CallerNumber),
            dialled = PhoneNumbers.Normalise(report.DialledNumber),
            topic = string.IsNullOrWhiteSpace(report.MenuTopic) ? null : report.MenuTopic.Trim(),
            priority = report.Priority,
            now, expires,
            offerOnArrival = options.Value.OfferOnArrival,
        };
        // A retry is found by the call's platform id, read by the statement (no "on conflict": its
        // speculative insert wrote a confirmation record at every call, docs/call-cost.md P12). A
        // concurrent retry that inserted the call after this statement's snapshot makes the insert fail
        // on the unique platform id, and nothing of the statement is kept: the call stored is read now.
        // The other nodes are told in the intake's own transaction, when it stored the call
        // (docs/decisions/0025): an offered call's ring instruction wakes their long polls, a queued call
        // the leader's dispatcher; either changes the dashboards.
        // A long poll waiting on this node gets its read from this transaction (docs/decisions/0031).
        using var carrier = signals.Carry();
        var rider = instructions.Ride();
        var offeredSignals = instructions.Signal | notifier.ChangedSignal;
        var queuedSignals = dispatcher.WakeSignal | notifier.ChangedSignal;
        var parameters = rider.AddTo(carrier.AddTo(new DynamicParameters(args)));
        parameters.Add("offeredSignals", (int)offeredSignals);
        parameters.Add("queuedSignals", (int)queuedSignals);
        var sql = carrier.After(rider.After(ReceiveSql),
            "case (select state from calls where id = @id) when 'offered' then @offeredSignals else @queuedSignals end",
            when: "exists (select 1 from calls where id = @id)");
        (CallRow Call, bool Created) row;
        try
        {
            // Read by hand: Dapper reads a row of two types only from a command's first result.
            await using var results = await conn.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
            var created = results.GetOrdinal("created");
            var parse = results.GetRowParser<CallRow>(startIndex: 0, length: created);
            row = await results.ReadAsync(ct) ? (parse(results), results.GetBoolean(created)) : default;
            await rider.ReadAsync(results, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "calls_platform_call_id_key")
        {
            row = default;
        }

        if (row.Call is null)
        {
            row = (await conn.QueryFirstAsync<CallRow>(new CommandDefinition(
                $"select {CallRow.Columns} from calls where platform_call_id = @platformCallId", args, cancellationToken: ct)), false);
        }

        var (call, isNew) = row;
        if (isNew && call.State == CallStates.Offered)
        {
            carrier.Committed(offeredSignals);
            RoutingLog.CallOfferedOnArrival(logger, call.Id, Platform.PersonalData.Pseudonym(args.caller), call.MunicipalityCode);
            instructions.Pulse(carrier, rider);
            dispatcher.Offered(call, expires);
            notifier.Changed(carrier);
        }
        else if (isNew)
        {
            carrier.Committed(queuedSignals);
            RoutingLog.CallQueued(logger, call.Id, Platform.PersonalData.Pseudonym(args.caller), call.MunicipalityCode);
            dispatcher.Wake(carrier);
            notifier.Changed(carrier);
        }

        var receipt = new CallReceipt(call.Id, report.PlatformCallId, call.State, call.MunicipalityCode, isNew);
        return new Intake(receipt, isNew ? [] : Differences(call, args.caller, args.dialled, args.topic, args.priority));
    }

    /// <summary>A withheld number is stored as the literal <see cref="CallerNumbers.Anonymous"/>, any other normalised.</summary>
    public static string CallerNumber(string reported) =>
        IsAnonymous(reported) ? CallerNumbers.Anonymous : PhoneNumbers.Normalise(reported);

    public static bool IsAnonymous(string? reported) =>
        string.Equals(reported?.Trim(), CallerNumbers.Anonymous, StringComparison.OrdinalIgnoreCase);

    // The fields of a retry that differ from the call stored. A caller number removed from a finished
    // call (PersonalData/Redaction.cs) is not compared.
    private static string[] Differences(CallRow stored, string caller, string dialled, string? topic, int priority) =>
    [
        .. stored.CallerNumber is not null && stored.CallerNumber != caller ? ["callerNumber"] : Array.Empty<string>(),
        .. stored.DialledNumber != dialled ? ["dialledNumber"] : Array.Empty<string>(),
        .. stored.MenuTopic != topic ? ["menuTopic"] : Array.Empty<string>(),
        .. stored.Priority != priority ? ["priority"] : Array.Empty<string>(),
    ];

    // One statement: record the event unless it is a retry and, when it changes the call, apply it.
    // Only "ended" while the call is under way changes it, so only that locks the call: "answered",
    // "transferred" and an "ended" after the call has ended add their event and nothing else
    // (docs/call-cost.md P6; the event keeps the time the caller left). The lock's condition is checked
    // again on the newest version of the row, so an "ended" that races the call's completion by the
    // operator only adds its event. The call as it was before the event comes back (the locked
    // version when it was locked), only when the event was new.
    // The caller hung up: while waiting or being offered the call is abandoned (an operator whose
    // phone rings is told to stop: stop_ringing); while with an operator it stays theirs until they
    // record how it ended.
    internal static readonly string RecordEventSql = $"""
        with cur as (
            select id from calls where platform_call_id = @platformCallId
        ), live as (
            select {CallRow.Columns} from calls
            where id = (select id from cur) and @ended and state not in ('completed', 'abandoned')
            for update
        ), ins as (
            insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
            select id, @type, @eventId, @at, 'telephony', null from cur
            where not exists (select 1 from telephony_instructions t
                              where t.seq = @seq and t.call_id = cur.id and @eventId in (t.reported_event_id, t.ended_event_id))
            on conflict (call_id, platform_event_id) where platform_event_id is not null do nothing
            returning call_id
        ), upd as (
            update calls set
                state = case when calls.state in ('queued', 'offered') then 'abandoned' else calls.state end,
                outcome = case when calls.state in ('queued', 'offered') then 'abandoned' else calls.outcome end,
                completed_at = case when calls.state in ('queued', 'offered') then @at else calls.completed_at end,
                offered_to = case when calls.state = 'offered' then null else calls.offered_to end,
                offered_at = case when calls.state = 'offered' then null else calls.offered_at end,
                offer_expires_at = case when calls.state = 'offered' then null else calls.offer_expires_at end,
                caller_left_at = coalesce(calls.caller_left_at, @at),
                version = calls.version + 1
            from ins join live on live.id = ins.call_id
            where calls.id = live.id
            returning calls.id
        ), {CallSql.ResolveOffer("'withdrawn'", from: "upd")},
        {CallSql.Instruct("stop_ringing", "offered_to", from: "live join upd using (id) where live.state = 'offered'")}
        select {CallRow.Columns} from live where exists (select 1 from ins)
        union all
        select {CallRow.Columns} from calls
        where id = (select id from cur) and exists (select 1 from ins) and not exists (select 1 from live)
        """;

    // One statement: a report's event that names the instruction it answers (instructionSeq) and only
    // adds to the history, stored on that instruction's row (docs/decisions/0026): `answered` on a
    // connect, `transferred` on a transfer, `ended` on an end (reported_*), the `ended` after a transfer
    // on the transfer (ended_*); when the same report acknowledges the instruction, acknowledged in the
    // same update, so the row is updated once (HOT, 0321). Its id is taken from call_events' sequence,
    // so the history (the view call_history_events) orders it where a row would be. Nothing is written
    // when the event does not fit: another call's instruction, another kind, its column already set,
    // an `ended` for a call not yet ended (that one changes the call: RecordEventSql), or an event id
    // already recorded for the call, as a row or on the instruction; the caller then records it as a row
    // (RecordEventSql, which finds a retry in either place). `fresh`: this update acknowledged it.
    private const string First = "(t.kind <> 'transfer' or @type <> 'platform_ended')";

    // A transfer's `ended` that follows its `transferred` in the same report (@endedEventId, @endedAt; null
    // when there is none) is set in the same update (ended_*, its id taken after reported_id's), so the
    // transfer's row is updated once, not twice (docs/decisions/0032), when it fits as it would alone:
    // its column still null, its id neither the `transferred`'s nor one recorded for the call.
    // `ended_too`: this update stored it.
    private const string EndedToo = $"""
        (@endedEventId::text is not null and {First} and t.kind = 'transfer' and cur.state in ('completed', 'abandoned')
         and t.ended_event_id is null and @endedEventId is distinct from @eventId
         and not exists (select 1 from call_events where call_id = cur.id and platform_event_id = @endedEventId))
        """;

    internal static readonly string RecordOnInstructionSql = $"""
        with cur as (
            select id, state from calls where platform_call_id = @platformCallId
        ), dup as (
            select 1 from call_events where call_id = (select id from cur) and platform_event_id = @eventId
        ), before as (
            select acknowledged_at is null as fresh, ended_event_id is null as ended_free from telephony_instructions where seq = @seq
        )
        update telephony_instructions t set
            reported_type = case when {First} then @type else t.reported_type end,
            reported_event_id = case when {First} then @eventId else t.reported_event_id end,
            reported_at = case when {First} then @at else t.reported_at end,
            reported_id = case when {First} then nextval(pg_get_serial_sequence('call_events', 'id')) else t.reported_id end,
            ended_event_id = case when {EndedToo} then @endedEventId
                                  when {First} then t.ended_event_id else @eventId end,
            ended_at = case when {EndedToo} then @endedAt when {First} then t.ended_at else @at end,
            ended_id = case when {EndedToo} or not {First}
                            then nextval(pg_get_serial_sequence('call_events', 'id')) else t.ended_id end,
            acknowledged_at = case when @acknowledge then coalesce(t.acknowledged_at, @now) else t.acknowledged_at end
        from cur
        where t.seq = @seq and t.call_id = cur.id
          and t.kind = case @type when 'platform_answered' then 'connect' when 'platform_transferred' then 'transfer'
                                  else t.kind end
          and t.kind in ('connect', 'transfer', 'end')
          and (@type <> 'platform_ended' or (t.kind in ('transfer', 'end') and cur.state in ('completed', 'abandoned')))
          and case when {First} then t.reported_event_id is null else t.ended_event_id is null end
          and @eventId is distinct from t.reported_event_id and @eventId is distinct from t.ended_event_id
          and not exists (select 1 from dup)
        returning cur.id as call_id, cur.state, coalesce((select fresh from before), false) as fresh,
                  @endedEventId::text is not null and coalesce((select ended_free from before), false)
                  and t.ended_event_id is not distinct from @endedEventId as ended_too
        """;

    /// <summary>
    /// Stores each report's event on the instruction it names (<see cref="PlatformEvent.InstructionSeq"/>) when it
    /// fits (<see cref="RecordOnInstructionSql"/>), acknowledging the instruction in the same update when the item
    /// says so; a null result when it does not fit, and the event is then to be stored as a row. An item's
    /// <c>Ended</c>, a transfer's <c>ended</c> that follows its <c>transferred</c> in the report, is stored in the
    /// same update when it fits (<c>EndedToo</c>: its receipt is then returned too); else the caller records it on
    /// its own. All in one round trip (an <see cref="NpgsqlBatch"/>): PostgreSQL runs the statements one after
    /// another in the transaction, each seeing the ones before, as separate statements would
    /// (docs/decisions/0035). One result per item, in order; every item names its instruction.
    /// </summary>
    internal async Task<List<OnInstructionResult?>> RecordOnInstructionsAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<OnInstructionItem> items, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var (e, acknowledge, ended) in items)
        {
            var command = new NpgsqlBatchCommand(RecordOnInstructionSql);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter("platformCallId", NpgsqlDbType.Text) { Value = e.PlatformCallId });
            p.Add(new NpgsqlParameter("type", NpgsqlDbType.Text) { Value = "platform_" + e.Type });
            p.Add(new NpgsqlParameter("eventId", NpgsqlDbType.Text) { Value = e.EventId });
            p.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = (e.OccurredAt ?? now).ToUniversalTime() });
            p.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
            p.Add(new NpgsqlParameter("seq", NpgsqlDbType.Bigint) { Value = e.InstructionSeq!.Value });
            p.Add(new NpgsqlParameter("acknowledge", NpgsqlDbType.Boolean) { Value = acknowledge });
            p.Add(new NpgsqlParameter("endedEventId", NpgsqlDbType.Text) { Value = (object?)ended?.EventId ?? DBNull.Value });
            p.Add(new NpgsqlParameter("endedAt", NpgsqlDbType.TimestampTz)
            {
                Value = ended is null ? DBNull.Value : (ended.OccurredAt ?? now).ToUniversalTime(),
            });
            batch.BatchCommands.Add(command);
        }

        var results = new List<OnInstructionResult?>(items.Count);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var (e, _, ended) in items)
        {
            OnInstructionResult? result = null;
            if (await reader.ReadAsync(ct))
            {
                var callId = reader.GetGuid(0);
                var state = reader.GetString(1);
                var at = e.OccurredAt ?? now;
                result = new OnInstructionResult(
                    new RecordedEvent(new EventReceipt(callId, state, true), null, at), reader.GetBoolean(2),
                    reader.GetBoolean(3) ? new RecordedEvent(new EventReceipt(callId, state, true), null, ended!.OccurredAt ?? now) : null);
            }

            results.Add(result);
            await reader.NextResultAsync(ct);
        }

        return results;
    }

    /// <summary>One event for <see cref="RecordOnInstructionsAsync"/>.</summary>
    internal sealed record OnInstructionItem(PlatformEvent Event, bool Acknowledge, PlatformEvent? Ended);

    /// <summary>An event stored on its instruction: <paramref name="Fresh"/> when the update acknowledged it; <paramref name="Ended"/> the transfer's <c>ended</c> stored with it.</summary>
    internal sealed record OnInstructionResult(RecordedEvent Recorded, bool Fresh, RecordedEvent? Ended);

    /// <summary>Records a platform event once; null when the call is unknown.</summary>
    public async Task<EventReceipt?> RecordEventAsync(string platformCallId, CallEventReport report, CancellationToken ct)
    {
        RecordedEvent recorded;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            recorded = await RecordEventAsync(conn, null, platformCallId, report, ct);
        }

        await AfterCommitAsync(recorded);
        return recorded.Receipt;
    }

    /// <summary>
    /// Records a platform event once on <paramref name="conn"/>, inside <paramref name="tx"/> when given
    /// (a report of several items, <see cref="PlatformReports"/>). What others are told of it waits for
    /// <see cref="AfterCommitAsync"/>, once the transaction has committed. The receipt is null when the
    /// call is unknown.
    /// </summary>
    internal async Task<RecordedEvent> RecordEventAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, string platformCallId, CallEventReport report, CancellationToken ct, long? instructionSeq = null)
    {
        var now = clock.GetUtcNow();
        var at = report.OccurredAt ?? now;
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(RecordEventSql, new
        {
            platformCallId, type = "platform_" + report.Type, eventId = report.EventId, at, now,
            ended = report.Type == PlatformEventTypes.Ended, seq = instructionSeq,
        }, tx, cancellationToken: ct));
        if (call is null)
        {
            // A retry of an event already recorded, or a call never reported.
            var existing = await conn.QuerySingleOrDefaultAsync<ExistingCall>(new CommandDefinition(
                "select id as call_id, state from calls where platform_call_id = @platformCallId",
                new { platformCallId }, tx, cancellationToken: ct));
            return new RecordedEvent(existing is null ? null : new EventReceipt(existing.CallId, existing.State, false), null, at);
        }

        if (report.Type != PlatformEventTypes.Ended)
        {
            return new RecordedEvent(new EventReceipt(call.Id, call.State, true), null, at);
        }

        var state = call.State is CallStates.Queued or CallStates.Offered ? CallStates.Abandoned : call.State;
        return new RecordedEvent(new EventReceipt(call.Id, state, true), call, at);
    }

    /// <summary>
    /// What follows a recorded event once it is committed: an "ended" that abandoned a call wakes the
    /// platform's polls (stop_ringing) and tells the operator whose phone rang; one that found the caller
    /// with an operator tells that operator; either changes the dashboards.
    /// </summary>
    internal async Task AfterCommitAsync(RecordedEvent recorded, SignalCarrier? carried = null)
    {
        if (recorded.EndedCall is not { } call)
        {
            return;
        }

        if (call.State is CallStates.Queued or CallStates.Offered)
        {
            RoutingLog.CallAbandoned(logger, call.Id, call.State);
            if (call.OfferedTo is { } offeredTo)
            {
                instructions.Pulse(carried);
                await notifier.OfferWithdrawnAsync(offeredTo, call.Id, "The caller hung up.", OfferEndings.CallerHungUp);
                dispatcher.OperatorFreed(carried);
            }
        }
        else if (call.State == CallStates.Connected && call.OperatorId is { } operatorId)
        {
            await notifier.CallUpdatedAsync(operatorId, (call with { CallerLeftAt = recorded.At }).ToView(notices));
        }

        notifier.Changed(carried);
    }

    /// <summary>What <see cref="AfterCommitAsync"/> tells the other nodes for <paramref name="recorded"/>.</summary>
    internal Signal SignalsOf(RecordedEvent recorded) => recorded.EndedCall switch
    {
        null => Signal.None,
        { State: CallStates.Queued or CallStates.Offered, OfferedTo: not null } =>
            instructions.Signal | dispatcher.FreedSignal | notifier.ChangedSignal,
        _ => notifier.ChangedSignal,
    };

    /// <summary>
    /// A platform event as stored: its receipt (null for a call never reported) and, for an "ended" that
    /// changed a call under way, the call as it was before, for <see cref="AfterCommitAsync"/>.
    /// </summary>
    internal sealed record RecordedEvent(EventReceipt? Receipt, CallRow? EndedCall, DateTimeOffset At);

    /// <summary>The receipt, and for a retry that differs from the call stored the fields that differ (answered 409).</summary>
    public sealed record Intake(CallReceipt Receipt, IReadOnlyList<string> Differs);

    private sealed record ExistingCall(Guid CallId, string State);
}
