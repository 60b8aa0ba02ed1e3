using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Umearegionen.Switchboard.Guidance;

/// <summary>
/// An operator sends the caller a link to an e-service or an answer (docs/guidance.md). The send is checked,
/// then stored as a queued row of the outbox (guidance_sends) together with the call's <c>link_sent</c> event
/// in one statement, which also checks again that the call is still the operator's; the leader's
/// <see cref="GuidanceSender"/> delivers it.
/// </summary>
public sealed partial class GuidanceSends(
    NpgsqlDataSource dataSource, TimeProvider clock, GuidanceSender sender, GuidanceNotifier notifier, ILogger<GuidanceSends> logger)
{
    /// <summary>Longest SMS text: three concatenated SMS of 160 GSM characters less their headers (3 × 153).</summary>
    public const int MaxSmsText = 459;

    public const int MaxEmail = 254;

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    public async Task<GuidanceView> SendAsync(Guid me, SendGuidanceRequest? request, CancellationToken ct)
    {
        var checkedRequest = Check(request);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallFacts>(new CommandDefinition(
            "select state, operator_id, caller_number from calls where id = @callId", new { callId = checkedRequest.CallId }, cancellationToken: ct));
        ThrowUnlessMine(call, me, checkedRequest.CallId);

        var what = await WhatAsync(conn, checkedRequest, ct);
        var recipient = Recipient(checkedRequest, call!.CallerNumber);
        var text = checkedRequest.Channel == GuidanceChannels.Sms ? SmsText(what) : EmailBody(what);
        var now = clock.GetUtcNow();
        var eventData = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["answerId"] = checkedRequest.AnswerId?.ToString(),
            ["unitId"] = checkedRequest.UnitId?.ToString(),
            ["eService"] = checkedRequest.AnswerId is null ? what.Title : null,
            ["channel"] = checkedRequest.Channel,
        }.Where(kv => kv.Value is not null).ToDictionary());

        // The call is checked again in the statement: it may have ended since it was read.
        const string InsertSql = $"""
            with c as (
                select id from calls where id = @callId and state = 'connected' and operator_id = @me
            ), g as (
                insert into guidance_sends (id, call_id, sent_by, channel, recipient, answer_id, unit_id, e_service, title, link, text,
                                            next_attempt_at, created_at)
                select @id, c.id, @me, @channel, @recipient, @answerId, @unitId, @eService, @title, @link, @text, @now, @now from c
                returning {Columns}
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select call_id, 'link_sent', @now, @me::text, @eventData::jsonb from g
            )
            select {Columns} from g
            """;
        var row = await conn.QuerySingleOrDefaultAsync<GuidanceRow>(new CommandDefinition(InsertSql, new
        {
            id = Guid.CreateVersion7(now), callId = checkedRequest.CallId, me, channel = checkedRequest.Channel, recipient,
            answerId = checkedRequest.AnswerId, unitId = checkedRequest.UnitId,
            eService = checkedRequest.AnswerId is null ? what.Title : null, title = what.Title, link = what.Link, text, now, eventData,
        }, cancellationToken: ct));
        if (row is null)
        {
            var again = await conn.QuerySingleOrDefaultAsync<CallFacts>(new CommandDefinition(
                "select state, operator_id, caller_number from calls where id = @callId", new { callId = checkedRequest.CallId }, cancellationToken: ct));
            ThrowUnlessMine(again, me, checkedRequest.CallId);
            throw RoutingErrors.Of(HubErrors.WrongState, "the call changed while the link was being sent; try again.");
        }

        LogQueued(logger, row.Id, row.CallId, row.Channel);
        sender.Wake();
        var view = row.ToView();
        await notifier.UpdatedAsync(me, view);
        return view;
    }

    /// <summary>The links sent during a call, oldest first; only to the operator who has or had the call.</summary>
    public async Task<IReadOnlyList<GuidanceView>> ForCallAsync(Guid me, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallFacts>(new CommandDefinition(
                       "select state, operator_id, caller_number from calls where id = @callId", new { callId }, cancellationToken: ct))
                   ?? throw RoutingErrors.NotFound($"there is no call {callId}.");
        if (call.OperatorId != me)
        {
            throw RoutingErrors.Of(HubErrors.NotYourCall, "the call is with another operator; only its operator sees the links sent.");
        }

        return (await conn.QueryAsync<GuidanceRow>(new CommandDefinition(
                $"select {Columns} from guidance_sends where call_id = @callId order by created_at, id", new { callId }, cancellationToken: ct)))
            .Select(r => r.ToView()).ToList();
    }

    internal const string Columns = """
        id, call_id, sent_by, channel, recipient, answer_id, unit_id, e_service, title, link, status, attempts, last_error,
        created_at, sent_at, failed_at
        """;

    private static SendGuidanceRequest Check(SendGuidanceRequest? request)
    {
        if (request is null)
        {
            throw RoutingErrors.Invalid("the request is required: { callId, channel, answerId | unitId + eService, to? }.");
        }

        if (request.Channel is not (GuidanceChannels.Sms or GuidanceChannels.Email))
        {
            throw RoutingErrors.Invalid("channel must be \"sms\" or \"email\".");
        }

        var byAnswer = request.AnswerId is not null;
        var byEService = request.UnitId is not null || request.EService is not null;
        if (byAnswer == byEService)
        {
            throw RoutingErrors.Invalid("give either answerId (an answer) or unitId and eService (one of the unit's e-services), not both and not neither.");
        }

        if (byEService && (request.UnitId is null || string.IsNullOrWhiteSpace(request.EService)))
        {
            throw RoutingErrors.Invalid(request.UnitId is null ? "unitId is required with eService." : "eService (the e-service's name) is required with unitId.");
        }

        if (request.To is not null && PlainText.Problem("to", request.To) is { } problem)
        {
            throw RoutingErrors.Invalid(problem);
        }

        if (request.Channel == GuidanceChannels.Email)
        {
            if (string.IsNullOrWhiteSpace(request.To))
            {
                throw RoutingErrors.Invalid("to (the e-mail address the caller gives) is required for channel \"email\".");
            }

            var address = request.To.Trim();
            if (address.Length > MaxEmail || !MailAddress.TryCreate(address, out var parsed) || parsed.Address != address
                || !address.Contains('.', StringComparison.Ordinal))
            {
                throw RoutingErrors.Invalid($"to must be one e-mail address such as namn@example.se (at most {MaxEmail} characters).");
            }
        }
        else if (!string.IsNullOrWhiteSpace(request.To) && SwedishMobile(request.To) is null)
        {
            throw RoutingErrors.Invalid("to must be a Swedish mobile number, such as 070-123 45 67 or +46 70 123 45 67.");
        }

        return request;
    }

    /// <summary>The number as E.164 (+467XXXXXXXX) when it is a Swedish mobile number; null otherwise.</summary>
    public static string? SwedishMobile(string? number) =>
        PhoneNumbers.IsWrittenAsNumber(number) && PhoneNumbers.Normalise(number!) is var e164 && MobileNumber().IsMatch(e164) ? e164 : null;

    [GeneratedRegex(@"^\+467[02369][0-9]{7}$")]
    private static partial Regex MobileNumber();

    private static string Recipient(SendGuidanceRequest request, string? callerNumber)
    {
        if (request.Channel == GuidanceChannels.Email)
        {
            return request.To!.Trim();
        }

        if (!string.IsNullOrWhiteSpace(request.To))
        {
            return SwedishMobile(request.To)!;
        }

        // The caller's own number is the default; the text names no number (it is not for the logs).
        return SwedishMobile(callerNumber)
               ?? throw RoutingErrors.Invalid("the caller's number is withheld or not a Swedish mobile number: ask for a mobile number and give it as to.");
    }

    private static void ThrowUnlessMine(CallFacts? call, Guid me, Guid callId)
    {
        switch (call)
        {
            case null:
                throw RoutingErrors.NotFound($"there is no call {callId}.");
            case { State: CallStates.Connected } when call.OperatorId == me:
                return;
            case { State: CallStates.Completed or CallStates.Abandoned } when call.OperatorId == me:
                throw RoutingErrors.Of(HubErrors.WrongState, "the call has ended; a link is sent while you have the caller on the line.");
            default:
                throw RoutingErrors.Of(HubErrors.NotYourCall, "you can send a link only to the caller of the call you have now.");
        }
    }

    /// <summary>What is sent: an answer valid today, or a unit's e-service by its name.</summary>
    private async Task<What> WhatAsync(NpgsqlConnection conn, SendGuidanceRequest request, CancellationToken ct)
    {
        if (request.AnswerId is { } answerId)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Stockholm).DateTime);
            var answer = await conn.QuerySingleOrDefaultAsync<AnswerRow>(new CommandDefinition("""
                select question, answer, e_services::text as e_services from answers
                where id = @answerId and (valid_from is null or valid_from <= @today) and (valid_to is null or valid_to >= @today)
                """, new { answerId, today }, cancellationToken: ct))
                ?? throw RoutingErrors.NotFound($"there is no answer {answerId} valid today.");
            var link = LinksOf(answer.EServices).Select(s => s.Url).FirstOrDefault();
            return new What(answer.Question, link, answer.Answer);
        }

        var services = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                           "select e_services::text from directory_units where id = @unitId", new { unitId = request.UnitId }, cancellationToken: ct))
                       ?? throw RoutingErrors.NotFound($"there is no unit {request.UnitId}.");
        var name = request.EService!.Trim();
        var service = LinksOf(services).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
                      ?? throw RoutingErrors.NotFound($"the unit has no e-service named \"{name}\".");
        return new What(service.Name!, service.Url, null);
    }

    private static IEnumerable<Directory.EService> LinksOf(string json) =>
        (JsonSerializer.Deserialize<Directory.EService[]>(json, Routing.Json.Web) ?? []).Where(s => !string.IsNullOrWhiteSpace(s.Url));

    internal const string Signature = "/Umeåregionens växel";

    /// <summary>
    /// An e-service: its name and link. An answer: its question, its text shortened (at a word, with "…") so that
    /// the whole SMS stays within <see cref="MaxSmsText"/>, and its first e-service's link if it has one.
    /// </summary>
    internal static string SmsText(What what)
    {
        if (what.Answer is null)
        {
            return Limit($"{what.Title}: {what.Link}\n{Signature}");
        }

        var fixedPart = what.Title.Length + 1 + (what.Link is null ? 0 : what.Link.Length + 1) + 1 + Signature.Length;
        var room = MaxSmsText - fixedPart;
        var answer = Shorten(what.Answer, room);
        return Limit(string.Join('\n', new[] { what.Title, answer, what.Link, Signature }.Where(p => !string.IsNullOrEmpty(p))));
    }

    private static string Limit(string text) => text.Length <= MaxSmsText ? text : Shorten(text, MaxSmsText);

    internal static string Shorten(string text, int max)
    {
        text = text.Trim();
        if (max <= 1)
        {
            return "";
        }

        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        return (space > max / 2 ? cut[..space] : cut).TrimEnd(' ', ',', '.', ';', ':') + "…";
    }

    private static string EmailBody(What what) => what.Answer is null
        ? $"""
           Hej!

           Här är länken till e-tjänsten som du fick när du ringde växeln:

           {what.Title}
           {what.Link}

           {Signature}
           """
        : $"""
           Hej!

           Här är svaret som du fick när du ringde växeln:

           {what.Title}

           {what.Answer}
           {(what.Link is null ? "" : "\n" + what.Link + "\n")}
           {Signature}
           """;

    internal sealed record What(string Title, string? Link, string? Answer);

    private sealed record CallFacts(string State, Guid? OperatorId, string? CallerNumber);

    private sealed record AnswerRow(string Question, string Answer, string EServices);

    [LoggerMessage(Level = LogLevel.Information, Message = "Guidance {GuidanceId} for call {CallId} queued ({Channel})")]
    private static partial void LogQueued(ILogger logger, Guid guidanceId, Guid callId, string channel);
}

internal sealed record GuidanceRow(
    Guid Id, Guid CallId, Guid SentBy, string Channel, string? Recipient, Guid? AnswerId, Guid? UnitId, string? EService, string Title,
    string? Link, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? FailedAt)
{
    public GuidanceView ToView() => new(
        Id, CallId, Channel, Recipient, AnswerId, UnitId, EService, Title, Link, Status, Attempts, LastError, CreatedAt, SentAt, FailedAt);
}
