using Dapper;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.Routing;

/// <summary>What the telephony platform reports: new calls and what happened to them. Idempotent on its ids.</summary>
public sealed class CallIntake(
    NpgsqlDataSource dataSource, TimeProvider clock, Dispatcher dispatcher,
    RoutingNotifier notifier, NoticeBoard notices, ILogger<CallIntake> logger)
{
    public async Task<CallReceipt> ReceiveAsync(NewCallReport report, CancellationToken ct)
    {
        // One statement: the call, its first event, and (on a retry) the call already stored.
        const string Sql = """
            with c as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic,
                                   priority, state, queued_at)
                values (@id, @platformCallId, @caller, @dialled,
                        (select municipality_code from dialled_numbers where number = @dialled),
                        @topic, @priority, 'queued', @now)
                on conflict (platform_call_id) do nothing
                returning id, state, municipality_code
            ), e as (
                insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
                select id, 'received', 'received', @now, 'telephony',
                       jsonb_build_object('dialledNumber', @dialled::text, 'menuTopic', @topic::text, 'priority', @priority)
                from c
            )
            select id as call_id, state, municipality_code, true as created from c
            union all
            select id, state, municipality_code, false from calls where platform_call_id = @platformCallId
            """;
        // The clock is read once the connection is held: the call's row is committed within this one
        // statement of its queued_at, which the manager's figures rely on (TodayCounts).
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var args = new
        {
            id = Guid.CreateVersion7(clock.GetUtcNow()),
            platformCallId = report.PlatformCallId,
            caller = PhoneNumbers.Normalise(report.CallerNumber),
            dialled = PhoneNumbers.Normalise(report.DialledNumber),
            topic = string.IsNullOrWhiteSpace(report.MenuTopic) ? null : report.MenuTopic.Trim(),
            priority = report.Priority,
            now = clock.GetUtcNow(),
        };
        var row = await conn.QueryFirstOrDefaultAsync<ReceiptRow>(new CommandDefinition(Sql, args, cancellationToken: ct));
        // A concurrent retry inserted the call after this statement's snapshot: read it now.
        row ??= await conn.QueryFirstAsync<ReceiptRow>(new CommandDefinition(
            "select id as call_id, state, municipality_code, false as created from calls where platform_call_id = @platformCallId",
            args, cancellationToken: ct));
        if (row.Created)
        {
            RoutingLog.CallQueued(logger, row.CallId, PersonalData.Pseudonym(args.caller), row.MunicipalityCode);
            dispatcher.Wake();
            notifier.Changed();
        }

        return new CallReceipt(row.CallId, report.PlatformCallId, row.State, row.MunicipalityCode, row.Created);
    }

    /// <summary>Records a platform event once; null when the call is unknown.</summary>
    public async Task<EventReceipt?> RecordEventAsync(string platformCallId, CallEventReport report, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var at = report.OccurredAt ?? now;
        // One statement: lock the call, record the event unless it is a retry, and apply it. The
        // call as it was before the event comes back, only when the event was new.
        // The caller hung up: while waiting or being offered the call is abandoned; while with an
        // operator it stays theirs until they record how it ended.
        const string Sql = $"""
            with prev as (
                select {CallRow.Columns} from calls where platform_call_id = @platformCallId for update
            ), ins as (
                insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
                select id, @type, @eventId, @at, 'telephony', null from prev
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
                from ins
                where calls.id = ins.call_id and @ended
                returning calls.id
            ), off as (
                update offers set resolution = 'withdrawn', resolved_at = @now
                from upd where offers.call_id = upd.id and offers.resolution is null
            )
            select {CallRow.Columns} from prev where exists (select 1 from ins)
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(Sql, new
        {
            platformCallId, type = "platform_" + report.Type, eventId = report.EventId, at, now,
            ended = report.Type == PlatformEventTypes.Ended,
        }, cancellationToken: ct));
        if (call is null)
        {
            // A retry of an event already recorded, or a call never reported.
            var existing = await conn.QuerySingleOrDefaultAsync<ExistingCall>(new CommandDefinition(
                "select id as call_id, state from calls where platform_call_id = @platformCallId",
                new { platformCallId }, cancellationToken: ct));
            return existing is null ? null : new EventReceipt(existing.CallId, existing.State, false);
        }

        if (report.Type != PlatformEventTypes.Ended)
        {
            return new EventReceipt(call.Id, call.State, true);
        }

        var state = call.State is CallStates.Queued or CallStates.Offered ? CallStates.Abandoned : call.State;
        if (call.State is CallStates.Queued or CallStates.Offered)
        {
            RoutingLog.CallAbandoned(logger, call.Id, call.State);
            if (call.OfferedTo is { } offeredTo)
            {
                await notifier.OfferWithdrawnAsync(offeredTo, call.Id, "The caller hung up.");
                dispatcher.OperatorFreed();
            }
        }
        else if (call.State == CallStates.Connected && call.OperatorId is { } operatorId)
        {
            await notifier.CallUpdatedAsync(operatorId, (call with { CallerLeftAt = at }).ToView(notices));
        }

        notifier.Changed();
        return new EventReceipt(call.Id, state, true);
    }

    private sealed record ExistingCall(Guid CallId, string State);

    private sealed record ReceiptRow(Guid CallId, string State, string? MunicipalityCode, bool Created);
}
