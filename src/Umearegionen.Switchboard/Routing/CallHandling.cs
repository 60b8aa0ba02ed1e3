namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// What an operator does with a call: take it, hand an offer back, consult, and end it one of the
/// ways a call ends (CallHandling.Endings.cs). Each step is one conditional statement, so two operators can never both take
/// a call and a call can never be finished twice.
/// </summary>
public sealed partial class CallHandling(
    NpgsqlDataSource dataSource, TimeProvider clock, Dispatcher dispatcher, RoutingNotifier notifier,
    Instructions instructions, NoticeBoard notices, MessageSender messages, Destinations destinations,
    IOptions<RoutingOptions> options, ILogger<CallHandling> logger, RecentContacts recentContacts, ClusterSignals signals)
{
    // The operator's row is written first (`op`), as every offer takes it first, and only while it holds no
    // call: one call per operator is kept on that row (operators.call_id, docs/decisions/0016). The
    // call is taken (`c`) if it is offered to them and the offer has not expired, or if it waits in the
    // queue. The row is claimed by its update, not locked and then updated: a `for update` before the update
    // wrote a lock record beside the update's own (about 54 bytes per call, docs/decisions/0033). The update
    // checks on the row's newest version that it holds no call, and on the statement's snapshot that the
    // call can be taken; when the call changed meanwhile (another operator took it, the caller hung up), `c`
    // takes nothing, the statement answers no call, and the claim never commits: AcceptAsync then finds the
    // operator's row naming a call that is not theirs and throws why, which rolls the transaction back.
    // A call picked from the queue counts on the operator's row (operators.assignments,
    // docs/decisions/0008): an offer made to this operator meanwhile from a stale read then finds the count
    // changed. Whether it was picked is read from call_queue in the statement's snapshot; an offer of the
    // same call to them committed in between counts it twice, and the count only has to change. The accepted
    // offer was counted when it was made. Picking a call ends the operator's after-call work. An offer of
    // another call ringing meanwhile stays theirs (and on their row) until it is answered or lapses.
    // No index of calls names the columns this changes, so the update of the call is HOT when its
    // page has room (0311_accept_made_hot.sql).
    internal static readonly string AcceptSql = $"""
        with picked as (
            select exists (select 1 from call_queue where call_id = @callId) as from_queue
        ), op as (
            update operators set call_id = @callId,
                offered_call_id = case when offered_call_id = @callId then null else offered_call_id end,
                assignments = assignments + picked.from_queue::int,
                status = case when picked.from_queue and status = 'wrap_up' and after_call_until is not null
                              then 'available' else status end,
                status_changed_at = case when picked.from_queue and status = 'wrap_up' and after_call_until is not null
                                         then @now else status_changed_at end,
                after_call_until = case when picked.from_queue then null else after_call_until end
            from picked
            where operators.account_id = @me and operators.call_id is null
              and exists (select 1 from calls where id = @callId
                          and (state = 'queued' or (state = 'offered' and offered_to = @me and offer_expires_at > @now)))
            returning operators.account_id
        ), c as (
            update calls set state = 'connected', operator_id = @me, answered_at = @now, offered_to = null,
                             offered_at = null, offer_expires_at = null, version = version + 1
            from op
            where id = @callId
              and (state = 'queued' or (state = 'offered' and offered_to = @me and offer_expires_at > @now))
            returning {CallRow.Columns}
        ), {CallSql.Dequeue()},
        {CallSql.Instruct("connect", "@me")},
        {CallSql.Event("'accepted'", actor: "@me::text", data: CallSql.InstructionSeq)}
        select {CallRow.Columns} from c
        """;

    /// <summary>Accepts the call offered to the operator, or picks a waiting call from the queue.</summary>
    /// <param name="connectionId">The hub connection that accepted; the operator's other connections are told the offer ended.</param>
    public async Task<CallView> AcceptAsync(Guid me, Guid callId, CancellationToken ct, string? connectionId = null)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The accept and the reads that complete the operator's view commit once (docs/decisions/0024); BEGIN
        // goes with the accept's statement.
        await using var step = await conn.BeginTransactionAsync(ct);
        // The other nodes are told in the accept's own transaction when it took the call (docs/decisions/0025):
        // the connect instruction wakes their long polls, and the dashboards change.
        // A long poll waiting on this node gets its read from this transaction (docs/decisions/0031).
        using var carrier = signals.Carry();
        var rider = instructions.Ride();
        var own = instructions.Signal | notifier.ChangedSignal;
        var args = rider.AddTo(carrier.AddTo(new DynamicParameters(new { me, callId, now, ownSignals = (int)own })));
        var batch = carrier.After(rider.After(AcceptSql), "@ownSignals",
            when: "exists (select 1 from calls where id = @callId and state = 'connected' and operator_id = @me and answered_at = @now)");
        CallRow? row;
        await using (var results = await conn.QueryMultipleAsync(new CommandDefinition(batch, args, cancellationToken: ct)))
        {
            row = await results.ReadSingleOrDefaultAsync<CallRow>();
            await rider.ReadAsync(results);
        }

        var taken = row is not null;
        if (row is null)
        {
            var onCall = await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "select call_id from operators where account_id = @me", new { me }, cancellationToken: ct));
            if (onCall is { } current && current != callId)
            {
                throw RoutingErrors.Of(HubErrors.AlreadyOnCall, "you already have a call; finish it before taking another.");
            }

            // Accepting the call you already have answers with it: an accept whose answer was lost (the
            // connection or the database failed after the commit, a server-error) is tried again safely.
            // Nothing is written a second time. The row also names the call when this statement claimed it
            // and the call changed meanwhile (AcceptSql): the call is not theirs, WhyNot throws, and the
            // transaction, with the claim, is rolled back.
            row = onCall == callId
                ? await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(
                    $"select {CallRow.Columns} from calls where id = @callId and state = 'connected' and operator_id = @me",
                    new { callId, me }, cancellationToken: ct))
                : null;
            if (row is null)
            {
                throw await WhyNotAsync(conn, me, callId, forAccept: true, ct);
            }
        }

        // After the call is taken (never in the dispatcher): the operator's screen shows where it may go, and
        // where the caller's recent calls went. From here the accept stands, whatever happens to the operator's
        // connection, as it did when it committed alone: a read that fails goes back to the savepoint.
        await step.SaveAsync(ViewReads.Savepoint, CancellationToken.None);
        var view = await destinations.ForCallAsync(conn, row.ToView(notices), now, CancellationToken.None, step);
        view = await recentContacts.ForCallAsync(conn, view, now, CancellationToken.None, step);
        await step.CommitAsync(CancellationToken.None);
        if (taken)
        {
            carrier.Committed(own);
            RoutingLog.CallTaken(logger, callId, me);
            instructions.Pulse(carrier, rider);
            notifier.Changed(carrier);
        }
        else
        {
            // A repeated accept wrote nothing and notified nothing: what its carrier took goes back.
            carrier.Dispose();
        }

        if (connectionId is not null)
        {
            await notifier.AcceptedElsewhereAsync(me, callId, connectionId);
        }

        return view;
    }

    /// <summary>A call's likely destinations (docs/hub.md, GetSuggestions).</summary>
    public async Task<IReadOnlyList<SuggestedDestination>> SuggestionsAsync(Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(
                       $"select {CallRow.Columns} from calls where id = @callId", new { callId }, cancellationToken: ct))
                   ?? throw RoutingErrors.NotFound($"there is no call {callId}.");
        return await destinations.SuggestAsync(conn, call.MunicipalityCode, call.MenuTopic, clock.GetUtcNow(), ct);
    }

    /// <summary>Hands an offer back to the queue; the operator goes to the back of the line.</summary>
    public async Task DeclineAsync(Guid me, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (!await ReturnOfferAsync(conn, callId, me, clock.GetUtcNow(), ct))
        {
            throw await WhyNotAsync(conn, me, callId, forAccept: true, ct);
        }

        instructions.Pulse();
        dispatcher.Wake();
        notifier.Changed();
    }

    private static readonly string ReturnOfferSql = $"""
        with c as (
            update calls set {CallSql.BackToQueue}
            where id = @callId and state = 'offered' and offered_to = @operatorId
            returning id, platform_call_id
        ), {CallSql.ReturnOffer("'offer_declined'", actor: "@operatorId::text", operatorId: "@operatorId")},
        p as (
            update operators set idle_since = @now, {CallSql.OfferCleared} from c where operators.account_id = @operatorId
        )
        select count(*) from c
        """;

    internal static async Task<bool> ReturnOfferAsync(
        NpgsqlConnection conn, Guid callId, Guid operatorId, DateTimeOffset now, CancellationToken ct)
    {
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(ReturnOfferSql, new { callId, operatorId, now }, cancellationToken: ct)) > 0;
    }

    private static readonly string ConsultSql = $"""
        with c as (
            update calls set consultation = @destination::jsonb, version = version + 1
            where id = @callId and state = 'connected' and operator_id = @me
            returning {CallRow.Columns}
        ), {CallSql.Event("'consultation_started'", actor: "@me::text", data: "@destination::jsonb")},
        {CallSql.Instruct("consult", "@me", payload: ", 'destination', @destination::jsonb")}
        select {CallRow.Columns} from c
        """;

    /// <summary>Attended transfer, first step: the caller is held while the operator talks to the destination.</summary>
    public async Task<CallView> ConsultAsync(Guid me, ConsultRequest request, CancellationToken ct)
    {
        ValidateDestination(request.Destination);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The operator talks to the destination first, so someone away is a warning here, not a refusal.
        var destination = await destinations.CheckAsync(
            conn, new DestinationAttempt(request.CallId, me, "consultation", null), request.Destination, blind: false, acknowledgeAway: true,
            clock.GetUtcNow(), ct);
        var view = await ChangeConnectedCallAsync(conn, me, request.CallId, ConsultSql, new { destination = Json.Of(destination.Destination) }, ct);
        return view with { Warning = destination.Warning };
    }

    private static readonly string CancelConsultationSql = $"""
        with c as (
            update calls set consultation = null, version = version + 1
            where id = @callId and state = 'connected' and operator_id = @me and consultation is not null
            returning {CallRow.Columns}
        ), {CallSql.Event("'consultation_cancelled'", actor: "@me::text")},
        {CallSql.Instruct("cancel_consult", "@me")}
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> CancelConsultationAsync(Guid me, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await ChangeConnectedCallAsync(conn, me, callId, CancelConsultationSql, new { }, ct);
    }

    private async Task<CallView> ChangeConnectedCallAsync(NpgsqlConnection conn, Guid me, Guid callId, string sql, object extra, CancellationToken ct)
    {
        var args = new DynamicParameters(extra);
        args.Add("me", me);
        args.Add("callId", callId);
        args.Add("now", clock.GetUtcNow());
        var row = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(sql, args, cancellationToken: ct))
                  ?? throw await WhyNotAsync(conn, me, callId, forAccept: false, ct);
        instructions.Pulse();
        return row.ToView(notices);
    }

    /// <summary>Explains why a conditional update changed nothing, in words the operator can act on.</summary>
    private static async Task<Microsoft.AspNetCore.SignalR.HubException> WhyNotAsync(
        NpgsqlConnection conn, Guid me, Guid callId, bool forAccept, CancellationToken ct)
    {
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(
            $"select {CallRow.Columns} from calls where id = @callId", new { callId }, cancellationToken: ct));
        return call switch
        {
            null => RoutingErrors.NotFound($"there is no call {callId}."),
            { State: CallStates.Abandoned } => RoutingErrors.Of(HubErrors.WrongState, "the caller has hung up."),
            { State: CallStates.Completed } => RoutingErrors.Of(HubErrors.WrongState, "the call has already been completed."),
            { State: CallStates.Connected } when call.OperatorId != me =>
                forAccept ? RoutingErrors.Of(HubErrors.CallTaken, "another operator has taken the call.")
                          : RoutingErrors.Of(HubErrors.NotYourCall, "the call is with another operator."),
            { State: CallStates.Offered } when call.OfferedTo != me =>
                RoutingErrors.Of(HubErrors.CallTaken, "the call is offered to another operator."),
            { State: CallStates.Offered } => RoutingErrors.Of(HubErrors.OfferExpired, "the offer has expired."),
            { State: CallStates.Queued } when !forAccept => RoutingErrors.Of(HubErrors.NotYourCall, "take the call before handling it."),
            { State: CallStates.Queued } => RoutingErrors.Of(HubErrors.OfferExpired, "the offer has expired; the call is back in the queue."),
            _ => RoutingErrors.Of(HubErrors.WrongState, forAccept
                ? "the call cannot be taken now."
                : "this step does not fit the call's current state (for example, no consultation is in progress)."),
        };
    }

    private static void ValidateCategory(string? category) => Required("wrapUpCategory", category, 100);

    private static void ValidateDestination(Destination? destination)
    {
        if (destination is null)
        {
            throw RoutingErrors.Invalid("destination is required.");
        }

        if (destination.Kind is not ("unit" or "person" or "number"))
        {
            throw RoutingErrors.Invalid("destination.kind must be \"unit\", \"person\" or \"number\".");
        }

        RequiredLine("destination.name", destination.Name, 200);
        if (destination.Kind == "number" && !PhoneNumbers.LooksValid(destination.Number))
        {
            throw RoutingErrors.Invalid("destination.number must be a telephone number for a transfer to a number.");
        }

        if (destination.Kind != "number" && string.IsNullOrWhiteSpace(destination.Id) && string.IsNullOrWhiteSpace(destination.Number))
        {
            throw RoutingErrors.Invalid("destination.id (or a destination.number) is required for a unit or a person.");
        }
    }

    private static void Required(string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw RoutingErrors.Invalid($"{field} is required.");
        }

        Optional(field, value, max);
    }

    private static void Optional(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            throw RoutingErrors.Invalid($"{field} must be at most {max} characters (it has {value.Length}).");
        }
    }

    /// <summary>A name or an e-mail address: one line of plain text (<see cref="PlainText"/>), at most <paramref name="max"/>.</summary>
    private static void OptionalLine(string field, string? value, int max)
    {
        if (PlainText.Problem(field, value) is { } problem)
        {
            throw RoutingErrors.Invalid(problem);
        }

        Optional(field, value, max);
    }

    private static void RequiredLine(string field, string? value, int max)
    {
        Required(field, value, max);
        OptionalLine(field, value, max);
    }
}
