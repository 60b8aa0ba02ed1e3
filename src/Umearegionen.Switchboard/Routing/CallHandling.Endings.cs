using System.Net.Mail;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The ways a handled call ends: transferred, answered, callback booked, message taken, fault
/// report registered. Each completes the operator's connected call once, in one statement with its
/// event, its outcome record and the platform's instruction.
/// </summary>
public sealed partial class CallHandling
{
    // Every way of ending starts the same: the operator's connected call becomes completed, once. An
    // available operator then starts their after-call work (@afterCallUntil, null when it is off): the
    // wrap_up status, in which no call is offered to them. Their row no longer holds the call
    // (operators.call_id, docs/decisions/0016).
    private static readonly string Complete = $"""
        with c as (
            update calls set state = 'completed', outcome = @outcome, wrap_up_category = @category, completed_at = @now,
                             consultation = null, version = version + 1
            where id = @callId and state = 'connected' and operator_id = @me
            returning {CallRow.Columns}
        ), p as (
            update operators set idle_since = @now, call_id = case when call_id = c.id then null else call_id end,
                status = case when @afterCallUntil::timestamptz is not null and status = 'available' then 'wrap_up' else status end,
                after_call_until = case when @afterCallUntil::timestamptz is not null and status = 'available'
                                        then @afterCallUntil::timestamptz else after_call_until end,
                status_changed_at = case when @afterCallUntil::timestamptz is not null and status = 'available'
                                         then @now else status_changed_at end
            from c where operators.account_id = @me
        )
        """;

    // The completed event, written after the instruction (`i`) so that its data names the instruction's
    // seq (docs/decisions/0026): the platform's confirmations of it are shown from there. The outcome and
    // wrap-up category are the call's own columns, set here and never changed: the event does not repeat
    // them, and the view call_history_events shows them in its data from the call (docs/decisions/0032).
    private static readonly string CompletedEvent = $"""
        , {CallSql.Event("'completed'", actor: "@me::text",
                         data: "jsonb_build_object('details', @details::jsonb) || " + CallSql.InstructionSeq)}
        """;

    // The caller is released unless they already hung up.
    private static readonly string EndInstruction = $"""
        , {CallSql.Instruct("end", "@me", from: "c where caller_left_at is null")}{CompletedEvent}
        """;

    internal static readonly string TransferSql = $"""
        {Complete}, {CallSql.Instruct("transfer", "@me", payload: ", 'mode', @mode::text, 'destination', @destination::jsonb, 'note', @note::text")}{CompletedEvent}
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> TransferAsync(Guid me, TransferRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        if (request.Mode is not ("blind" or "attended"))
        {
            throw RoutingErrors.Invalid("mode must be \"blind\" or \"attended\".");
        }

        ValidateDestination(request.Destination);
        // The note for the receiving desk is free text that may name the caller: one line, short; stored in the
        // completed event's details and the instruction, and removed from both with the call's number (Redaction).
        OptionalLine("note", request.Note, TransferNotes.MaxLength);
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // Checked against the directory and opening hours before anything changes: a closed unit or
        // (blind) someone away is refused with what to offer the caller instead.
        var destination = await destinations.CheckAsync(
            conn, new DestinationAttempt(request.CallId, me, "transfer", request.Mode), request.Destination, blind: request.Mode == "blind",
            request.AcknowledgeAway, clock.GetUtcNow(), ct);
        if (request.Mode == "attended")
        {
            var consulting = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select consultation is not null from calls where id = @callId and operator_id = @me and state = 'connected'",
                new { request.CallId, me }, cancellationToken: ct));
            if (!consulting)
            {
                throw RoutingErrors.Of(HubErrors.WrongState, "an attended transfer needs a consultation first: call StartConsultation.");
            }
        }

        var json = Json.Of(destination.Destination);
        var details = note is null ? json : Json.Of(new { destination.Destination.Kind, destination.Destination.Id, destination.Destination.Number, destination.Destination.Name, note });
        var view = await CompleteAsync(conn, me, request.CallId, CallOutcomes.Transferred, request.WrapUpCategory, TransferSql,
            new { mode = request.Mode, destination = json, details, note }, ct);
        return view with { Warning = destination.Warning };
    }

    internal static readonly string AnswerSql = $"""
        {Complete}{EndInstruction}{CallAnswers.Record}
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> AnswerAsync(Guid me, AnswerRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Optional("note", request.Note, 2000);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // Answered with an answer: the answer is checked first and kept with the call (CallAnswers.cs).
        var question = request.AnswerId is { } answerId ? await CallAnswers.CheckAsync(conn, request.CallId, answerId, clock.GetUtcNow(), ct) : null;
        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.Answered, request.WrapUpCategory, AnswerSql, new
        {
            request.AnswerId, question,
            details = Json.Of(question is null ? (object)new { request.Note } : new { request.Note, request.AnswerId, question }),
        }, ct);
    }

    private static readonly string BookCallbackSql = $"""
        {Complete}{EndInstruction}, x as (
            insert into callbacks (id, call_id, unit_id, unit_name, caller_number, caller_name, window_start, window_end,
                                   note, booked_by, booked_at)
            select @id, id, @unitId, @unitName, coalesce(@callerNumber, caller_number), @callerName, @windowStart,
                   @windowEnd, @note, @me, @now
            from c
        )
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> BookCallbackAsync(Guid me, CallbackRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Required("unitId", request.UnitId, 200);
        OptionalLine("unitName", request.UnitName, 200);
        OptionalLine("callerName", request.CallerName, 200);
        Optional("note", request.Note, 2000);
        if (request.WindowEnd <= request.WindowStart)
        {
            throw RoutingErrors.Invalid("windowEnd must be after windowStart.");
        }

        if (request.WindowEnd <= clock.GetUtcNow())
        {
            throw RoutingErrors.Invalid("the callback window has already passed; choose a window in the future.");
        }

        if (request.CallerNumber is not null && !PhoneNumbers.LooksValid(request.CallerNumber))
        {
            throw RoutingErrors.Invalid("callerNumber is not a telephone number.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // The window must lie in the unit's opening hours; the directory's name for the unit is stored.
        var (unitName, warning) = await destinations.CheckCallbackWindowAsync(
            conn, request.UnitId, request.WindowStart, request.WindowEnd, clock.GetUtcNow(), ct);
        var unitId = Guid.Parse(request.UnitId).ToString();
        var view = await CompleteAsync(conn, me, request.CallId, CallOutcomes.Callback, request.WrapUpCategory, BookCallbackSql, new
        {
            id = Guid.CreateVersion7(clock.GetUtcNow()), unitId, unitName,
            callerNumber = request.CallerNumber is null ? null : PhoneNumbers.Normalise(request.CallerNumber),
            request.CallerName, windowStart = request.WindowStart.ToUniversalTime(), windowEnd = request.WindowEnd.ToUniversalTime(), request.Note,
            details = Json.Of(new { unitId, unitName, request.WindowStart, request.WindowEnd }),
        }, ct);
        return view with { Warning = warning };
    }

    private static readonly string TakeMessageSql = $"""
        {Complete}{EndInstruction}, x as (
            insert into messages (id, call_id, recipient_kind, recipient_id, recipient_name, recipient_email,
                                  caller_name, caller_number, text, taken_by, taken_at, next_attempt_at)
            select @id, id, @recipientKind, @recipientId, @recipientName, @recipientEmail, @callerName,
                   coalesce(@callerNumber, caller_number), @text, @me, @now, @now
            from c
        )
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> TakeMessageAsync(Guid me, MessageRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        if (request.RecipientKind is not ("person" or "unit"))
        {
            throw RoutingErrors.Invalid("recipientKind must be \"person\" or \"unit\".");
        }

        Required("text", request.Text, 4000);
        OptionalLine("callerName", request.CallerName, 200);
        Optional("recipientId", request.RecipientId, 200);
        OptionalLine("recipientName", request.RecipientName, 200);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var recipientId = request.RecipientId;
        var (recipientName, recipientEmail) = (request.RecipientName, request.RecipientEmail);
        if (!string.IsNullOrWhiteSpace(recipientId))
        {
            // From the directory, unless the operator gave them.
            var (name, email) = await Destinations.RecipientAsync(conn, request.RecipientKind, recipientId, ct);
            recipientId = Guid.Parse(recipientId).ToString();
            recipientName = string.IsNullOrWhiteSpace(recipientName) ? name : recipientName;
            recipientEmail = string.IsNullOrWhiteSpace(recipientEmail) ? email : recipientEmail;
            if (string.IsNullOrWhiteSpace(recipientEmail))
            {
                throw RoutingErrors.Invalid($"recipientEmail is required: {name} has no e-mail address in the directory.");
            }
        }

        RequiredLine("recipientName", recipientName, 200);
        OptionalLine("recipientEmail", recipientEmail, Directory.Contact.MaxEmailLength);
        if (!MailAddress.TryCreate(recipientEmail, out _))
        {
            throw RoutingErrors.Invalid("recipientEmail is not an e-mail address.");
        }

        if (request.CallerNumber is not null && !PhoneNumbers.LooksValid(request.CallerNumber))
        {
            throw RoutingErrors.Invalid("callerNumber is not a telephone number.");
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var view = await CompleteAsync(conn, me, request.CallId, CallOutcomes.Message, request.WrapUpCategory, TakeMessageSql, new
        {
            id, request.RecipientKind, recipientId, recipientName, recipientEmail, request.CallerName,
            callerNumber = request.CallerNumber is null ? null : PhoneNumbers.Normalise(request.CallerNumber),
            request.Text, details = Json.Of(new { messageId = id, request.RecipientKind, recipientId, recipientName }),
        }, ct);
        messages.Wake();
        return view;
    }

    private static readonly string FaultReportSql = $"""
        {Complete}{EndInstruction}, x as (
            insert into fault_reports (id, call_id, municipality_code, what, location, contact_name, contact_number,
                                       registered_by, registered_at)
            select @id, id, @municipalityCode, @what, @location, @contactName, @contactNumber, @me, @now from c
        )
        select {CallRow.Columns} from c
        """;

    public async Task<CallView> RegisterFaultReportAsync(Guid me, FaultReportRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Required("what", request.What, 2000);
        Required("location", request.Location, 500);
        OptionalLine("contactName", request.ContactName, 200);
        if (!PhoneNumbers.LooksValid(request.ContactNumber))
        {
            throw RoutingErrors.Invalid("contactNumber is required and must be a telephone number.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var known = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from municipalities where code = @code)", new { code = request.MunicipalityCode }, cancellationToken: ct));
        if (!known)
        {
            throw RoutingErrors.Invalid($"municipalityCode \"{request.MunicipalityCode}\" is not a municipality.");
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.FaultReport, request.WrapUpCategory, FaultReportSql, new
        {
            id, request.MunicipalityCode, request.What, request.Location, request.ContactName,
            contactNumber = PhoneNumbers.Normalise(request.ContactNumber),
            details = Json.Of(new { faultReportId = id, request.MunicipalityCode }),
        }, ct);
    }

    private async Task<CallView> CompleteAsync(
        NpgsqlConnection conn, Guid me, Guid callId, string outcome, string category, string sql, object extra, CancellationToken ct)
    {
        var args = new DynamicParameters(extra);
        args.Add("me", me);
        args.Add("callId", callId);
        args.Add("outcome", outcome);
        args.Add("category", category.Trim());
        var now = clock.GetUtcNow();
        var afterCallWork = options.Value.AfterCallWork;
        args.Add("now", now);
        args.Add("afterCallUntil", afterCallWork > TimeSpan.Zero ? now + afterCallWork : (DateTimeOffset?)null);
        // The other nodes are told in the ending's own transaction when it completed the call
        // (docs/decisions/0025): the instruction wakes their long polls, a freed operator the leader's
        // dispatcher, and the dashboards change.
        // A long poll waiting on this node gets its read from this transaction (docs/decisions/0031).
        using var carrier = signals.Carry();
        var rider = instructions.Ride();
        var own = instructions.Signal | (afterCallWork > TimeSpan.Zero ? Signal.None : dispatcher.FreedSignal) | notifier.ChangedSignal;
        args.Add("ownSignals", (int)own);
        rider.AddTo(carrier.AddTo(args));
        var batch = carrier.After(rider.After(sql), "@ownSignals",
            when: "exists (select 1 from calls where id = @callId and state = 'completed' and completed_at = @now and operator_id = @me)");
        CallRow? completed;
        await using (var results = await conn.QueryMultipleAsync(new CommandDefinition(batch, args, cancellationToken: ct)))
        {
            completed = await results.ReadSingleOrDefaultAsync<CallRow>();
            await rider.ReadAsync(results);
        }

        var row = completed ?? throw await WhyNotAsync(conn, me, callId, forAccept: false, ct);
        carrier.Committed(own);
        RoutingLog.CallCompleted(logger, callId, me, outcome);
        instructions.Pulse(carrier, rider);
        if (afterCallWork > TimeSpan.Zero)
        {
            // Not free: in after-call work until the sweeper ends it. Every screen of the operator shows it.
            if (await OperatorPresence.StateAsync(conn, me, ct) is { } state)
            {
                await notifier.OperatorStateAsync(state);
            }
        }
        else
        {
            dispatcher.OperatorFreed(carrier);
        }

        notifier.Changed(carrier);
        return row.ToView(notices);
    }
}
