using System.Net.Mail;
using Dapper;
using Npgsql;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// What an operator does with a call: take it, hand an offer back, consult, and end it one of the
/// ways a call ends. Each step is one conditional statement, so two operators can never both take
/// a call and a call can never be finished twice.
/// </summary>
public sealed class CallHandling(
    NpgsqlDataSource dataSource, TimeProvider clock, Dispatcher dispatcher, RoutingNotifier notifier,
    Instructions instructions, NoticeBoard notices, MessageSender messages, ILogger<CallHandling> logger)
{
    /// <summary>Accepts the call offered to the operator, or picks a waiting call from the queue.</summary>
    public async Task<CallView> AcceptAsync(Guid me, Guid callId, CancellationToken ct)
    {
        const string Sql = $"""
            with c as (
                update calls set state = 'connected', operator_id = @me, answered_at = @now, offered_to = null,
                                 offered_at = null, offer_expires_at = null, version = version + 1
                where id = @callId
                  and (state = 'queued' or (state = 'offered' and offered_to = @me and offer_expires_at > @now))
                returning {CallRow.Columns}
            ), o as (
                update offers set resolution = 'accepted', resolved_at = @now
                from c where offers.call_id = c.id and offers.resolution is null
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select id, 'accepted', @now, @me::text, null from c
            ), i as (
                insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
                select id, platform_call_id, 'connect', jsonb_build_object('operatorId', @me), @now from c
            )
            select {CallRow.Columns} from c
            """;
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        CallRow? row;
        try
        {
            row = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(Sql, new { me, callId, now }, cancellationToken: ct));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "calls_one_call_per_operator" })
        {
            throw RoutingErrors.Of(HubErrors.AlreadyOnCall, "you already have a call; finish it before taking another.");
        }

        if (row is null)
        {
            throw await WhyNotAsync(conn, me, callId, forAccept: true, ct);
        }

        RoutingLog.CallTaken(logger, callId, me);
        instructions.Pulse();
        notifier.Changed();
        return row.ToView(notices);
    }

    /// <summary>Hands an offer back to the queue; the operator goes to the back of the line.</summary>
    public async Task DeclineAsync(Guid me, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (!await ReturnOfferAsync(conn, callId, me, "declined", clock.GetUtcNow(), ct))
        {
            throw await WhyNotAsync(conn, me, callId, forAccept: true, ct);
        }

        instructions.Pulse();
        dispatcher.Wake();
        notifier.Changed();
    }

    internal static async Task<bool> ReturnOfferAsync(
        NpgsqlConnection conn, Guid callId, Guid operatorId, string resolution, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            with c as (
                update calls set state = 'queued', offered_to = null, offered_at = null, offer_expires_at = null,
                                 version = version + 1
                where id = @callId and state = 'offered' and offered_to = @operatorId
                returning id, platform_call_id
            ), o as (
                update offers set resolution = @resolution, resolved_at = @now
                from c where offers.call_id = c.id and offers.resolution is null
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select id, 'offer_declined', @now, @operatorId::text, null from c
            ), i as (
                insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
                select id, platform_call_id, 'stop_ringing', jsonb_build_object('operatorId', @operatorId), @now from c
            ), p as (
                update operators set idle_since = @now from c where operators.account_id = @operatorId
            )
            select count(*) from c
            """;
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(Sql, new { callId, operatorId, resolution, now }, cancellationToken: ct)) > 0;
    }

    /// <summary>Attended transfer, first step: the caller is held while the operator talks to the destination.</summary>
    public async Task<CallView> ConsultAsync(Guid me, ConsultRequest request, CancellationToken ct)
    {
        ValidateDestination(request.Destination);
        const string Sql = $"""
            with c as (
                update calls set consultation = @destination::jsonb, version = version + 1
                where id = @callId and state = 'connected' and operator_id = @me
                returning {CallRow.Columns}
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select id, 'consultation_started', @now, @me::text, @destination::jsonb from c
            ), i as (
                insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
                select id, platform_call_id, 'consult',
                       jsonb_build_object('operatorId', @me, 'destination', @destination::jsonb), @now from c
            )
            select {CallRow.Columns} from c
            """;
        return await ChangeConnectedCallAsync(me, request.CallId, Sql, new { destination = Json.Of(request.Destination) }, ct);
    }

    public async Task<CallView> CancelConsultationAsync(Guid me, Guid callId, CancellationToken ct)
    {
        const string Sql = $"""
            with c as (
                update calls set consultation = null, version = version + 1
                where id = @callId and state = 'connected' and operator_id = @me and consultation is not null
                returning {CallRow.Columns}
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select id, 'consultation_cancelled', @now, @me::text, null from c
            ), i as (
                insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
                select id, platform_call_id, 'cancel_consult', jsonb_build_object('operatorId', @me), @now from c
            )
            select {CallRow.Columns} from c
            """;
        return await ChangeConnectedCallAsync(me, callId, Sql, new { }, ct);
    }

    private async Task<CallView> ChangeConnectedCallAsync(Guid me, Guid callId, string sql, object extra, CancellationToken ct)
    {
        var args = new DynamicParameters(extra);
        args.Add("me", me);
        args.Add("callId", callId);
        args.Add("now", clock.GetUtcNow());
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(sql, args, cancellationToken: ct))
                  ?? throw await WhyNotAsync(conn, me, callId, forAccept: false, ct);
        instructions.Pulse();
        return row.ToView(notices);
    }

    // Every way of ending starts the same: the operator's connected call becomes completed, once.
    private const string Complete = $"""
        with c as (
            update calls set state = 'completed', outcome = @outcome, wrap_up_category = @category, completed_at = @now,
                             consultation = null, version = version + 1
            where id = @callId and state = 'connected' and operator_id = @me
            returning {CallRow.Columns}
        ), e as (
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'completed', @now, @me::text,
                   jsonb_build_object('outcome', @outcome::text, 'wrapUpCategory', @category::text, 'details', @details::jsonb)
            from c
        ), p as (
            update operators set idle_since = @now from c where operators.account_id = @me
        )
        """;

    // The caller is released unless they already hung up.
    private const string EndInstruction = """
        , i as (
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            select id, platform_call_id, 'end', jsonb_build_object('operatorId', @me), @now from c where caller_left_at is null
        )
        """;

    public async Task<CallView> TransferAsync(Guid me, TransferRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        if (request.Mode is not ("blind" or "attended"))
        {
            throw RoutingErrors.Invalid("mode must be \"blind\" or \"attended\".");
        }

        ValidateDestination(request.Destination);
        // TODO after the directory and opening hours are merged: refuse a transfer to a closed unit with its fallback.
        const string Sql = $"""
            {Complete}, i as (
                insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
                select id, platform_call_id, 'transfer',
                       jsonb_build_object('operatorId', @me, 'mode', @mode::text, 'destination', @destination::jsonb), @now
                from c
            )
            select {CallRow.Columns} from c
            """;
        var destination = Json.Of(request.Destination);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
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

        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.Transferred, request.WrapUpCategory, Sql,
            new { mode = request.Mode, destination, details = destination }, ct);
    }

    public async Task<CallView> AnswerAsync(Guid me, AnswerRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Optional("note", request.Note, 2000);
        const string Sql = $"""
            {Complete}{EndInstruction}
            select {CallRow.Columns} from c
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.Answered, request.WrapUpCategory, Sql,
            new { details = Json.Of(new { request.Note }) }, ct);
    }

    public async Task<CallView> BookCallbackAsync(Guid me, CallbackRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Required("unitId", request.UnitId, 200);
        Required("unitName", request.UnitName, 200);
        Optional("callerName", request.CallerName, 200);
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

        // TODO after opening hours are merged: the window must fall within the unit's opening hours.
        const string Sql = $"""
            {Complete}{EndInstruction}, x as (
                insert into callbacks (id, call_id, unit_id, unit_name, caller_number, caller_name, window_start, window_end,
                                       note, booked_by, booked_at)
                select @id, id, @unitId, @unitName, coalesce(@callerNumber, caller_number), @callerName, @windowStart,
                       @windowEnd, @note, @me, @now
                from c
            )
            select {CallRow.Columns} from c
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.Callback, request.WrapUpCategory, Sql, new
        {
            id = Guid.CreateVersion7(clock.GetUtcNow()), request.UnitId, request.UnitName,
            callerNumber = request.CallerNumber is null ? null : PhoneNumbers.Normalise(request.CallerNumber),
            request.CallerName, request.WindowStart, request.WindowEnd, request.Note,
            details = Json.Of(new { request.UnitId, request.UnitName, request.WindowStart, request.WindowEnd }),
        }, ct);
    }

    public async Task<CallView> TakeMessageAsync(Guid me, MessageRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        if (request.RecipientKind is not ("person" or "unit"))
        {
            throw RoutingErrors.Invalid("recipientKind must be \"person\" or \"unit\".");
        }

        Required("recipientName", request.RecipientName, 200);
        Required("text", request.Text, 4000);
        Optional("callerName", request.CallerName, 200);
        if (!MailAddress.TryCreate(request.RecipientEmail, out _))
        {
            throw RoutingErrors.Invalid("recipientEmail is not an e-mail address.");
        }

        if (request.CallerNumber is not null && !PhoneNumbers.LooksValid(request.CallerNumber))
        {
            throw RoutingErrors.Invalid("callerNumber is not a telephone number.");
        }

        const string Sql = $"""
            {Complete}{EndInstruction}, x as (
                insert into messages (id, call_id, recipient_kind, recipient_id, recipient_name, recipient_email,
                                      caller_name, caller_number, text, taken_by, taken_at, next_attempt_at)
                select @id, id, @recipientKind, @recipientId, @recipientName, @recipientEmail, @callerName,
                       coalesce(@callerNumber, caller_number), @text, @me, @now, @now
                from c
            )
            select {CallRow.Columns} from c
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var view = await CompleteAsync(conn, me, request.CallId, CallOutcomes.Message, request.WrapUpCategory, Sql, new
        {
            id, request.RecipientKind, request.RecipientId, request.RecipientName, request.RecipientEmail, request.CallerName,
            callerNumber = request.CallerNumber is null ? null : PhoneNumbers.Normalise(request.CallerNumber),
            request.Text, details = Json.Of(new { messageId = id, request.RecipientKind, request.RecipientId, request.RecipientName }),
        }, ct);
        messages.Wake();
        return view;
    }

    public async Task<CallView> RegisterFaultReportAsync(Guid me, FaultReportRequest request, CancellationToken ct)
    {
        ValidateCategory(request.WrapUpCategory);
        Required("what", request.What, 2000);
        Required("location", request.Location, 500);
        Optional("contactName", request.ContactName, 200);
        if (!PhoneNumbers.LooksValid(request.ContactNumber))
        {
            throw RoutingErrors.Invalid("contactNumber is required and must be a telephone number.");
        }

        const string Sql = $"""
            {Complete}{EndInstruction}, x as (
                insert into fault_reports (id, call_id, municipality_code, what, location, contact_name, contact_number,
                                           registered_by, registered_at)
                select @id, id, @municipalityCode, @what, @location, @contactName, @contactNumber, @me, @now from c
            )
            select {CallRow.Columns} from c
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var known = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from municipalities where code = @code)", new { code = request.MunicipalityCode }, cancellationToken: ct));
        if (!known)
        {
            throw RoutingErrors.Invalid($"municipalityCode \"{request.MunicipalityCode}\" is not a municipality.");
        }

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        return await CompleteAsync(conn, me, request.CallId, CallOutcomes.FaultReport, request.WrapUpCategory, Sql, new
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
        args.Add("now", clock.GetUtcNow());
        var row = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition(sql, args, cancellationToken: ct))
                  ?? throw await WhyNotAsync(conn, me, callId, forAccept: false, ct);
        RoutingLog.CallCompleted(logger, callId, me, outcome);
        instructions.Pulse();
        dispatcher.Wake();
        notifier.Changed();
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

        Required("destination.name", destination.Name, 200);
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
}
