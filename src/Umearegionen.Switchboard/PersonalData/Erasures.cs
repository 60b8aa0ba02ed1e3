using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Umearegionen.Switchboard.PersonalData;

public sealed record ErasureRequest(string? Number, string? Name, string? Reason);

/// <summary>Guidance: links sent to the caller (their number or e-mail address), docs/personal-data.md.</summary>
public sealed record ErasedCounts(int Calls, int Callbacks, int Messages, int FaultReports, int Guidance = 0)
{
    [JsonIgnore]
    public int Total => Calls + Callbacks + Messages + FaultReports + Guidance;
}

/// <summary>A record that matched but must be kept; <see cref="Code"/> is stable (the dashboard translates it).</summary>
public sealed record KeptRecord(string Kind, Guid Id, string Code, string Reason);

public sealed record ErasureResult(ErasedCounts Erased, IReadOnlyList<KeptRecord> Kept);

/// <summary>Why a matching record is kept (docs/personal-data.md, "Register extracts and erasure").</summary>
public static class KeptCodes
{
    public const string CallInProgress = "call-in-progress";
    public const string CallbackPending = "callback-pending";
    public const string MessageUnsent = "message-unsent";
    public const string PublicRecord = "public-record";
}

/// <summary>
/// An administrator erases what is stored about a phone number or a name (GDPR art. 17), except what
/// must be kept, which is listed with the reason. It removes through <see cref="Redaction"/>, the same
/// statements as the retention job, and records itself in the access log, all in one transaction.
/// </summary>
public sealed partial class Erasures(
    NpgsqlDataSource dataSource, AccessLog accessLog, TimeProvider clock, IOptions<RetentionOptions> retention,
    IOptions<SmtpOptions> smtp, ILogger<Erasures> logger)
{
    public const int MaxReason = 500;

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById(RetentionOptions.TimeZone);

    /// <summary>The request's problems, by field; none when it can be carried out.</summary>
    public static FieldErrors Check(ErasureRequest request)
    {
        var errors = new FieldErrors();
        var (number, name) = (request.Number, request.Name);
        errors.Subject(number, name,
            whenNeither: "Give the phone number (number) or the name (name) whose data is to be erased.",
            whenBoth: "Give either number or name, not both: erase a number and a name as two requests.");
        errors.Required("reason", request.Reason, MaxReason);
        // The reason goes to the access log, which holds no citizen's data in clear.
        if (!string.IsNullOrWhiteSpace(request.Reason) && !errors.Any && Mentions(request.Reason, number, name))
        {
            errors.Add("reason", "reason must not repeat the number or name being erased: the access log keeps no citizen's data in clear. Say why, e.g. \"Request from the data subject, case 2026-123\".");
        }

        return errors;
    }

    private static bool Mentions(string reason, string? number, string? name)
    {
        if (name is not null)
        {
            // As a whole word: "Al" is not in "Also".
            return Regex.IsMatch(AccessLog.NormaliseName(reason), $@"(?<!\w){Regex.Escape(AccessLog.NormaliseName(name))}(?!\w)");
        }

        var wanted = PhoneNumbers.Normalise(number!);
        return NumberLike().Matches(reason).Any(m => PhoneNumbers.Normalise(m.Value) == wanted);
    }

    [GeneratedRegex(@"\+?\d[\d\s\-()/]{4,}\d")]
    private static partial Regex NumberLike();

    /// <summary>Erases what may be erased about the request's number or name (checked with <see cref="Check"/>).</summary>
    public async Task<ErasureResult> EraseAsync(ErasureRequest request, AccessActor actor, CancellationToken ct)
    {
        var byNumber = request.Number is not null;
        var subject = byNumber ? PhoneNumbers.Normalise(request.Number!) : AccessLog.NormaliseName(request.Name!);
        var subjectHash = await accessLog.HashSubjectAsync(subject, ct);
        var options = retention.Value;
        var maxAttempts = smtp.Value.MaxAttempts;

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var faultReportsCutoff = now.AddDays(-options.FaultReportsDays);

        var found = (await conn.QueryAsync<Match>(new CommandDefinition(FindSql, new
        {
            number = byNumber ? subject : null, name = byNumber ? null : subject, now, maxAttempts, faultReportsCutoff,
        }, tx, cancellationToken: ct))).AsList();
        Guid[] Erasable(string kind) => found.Where(f => f.Kind == kind && f.Code is null).Select(f => f.Id).ToArray();

        var erased = new ErasedCounts(
            await Redaction.CallsAsync(conn, tx, Erasable(PersonalDataKinds.Call), now, now, ct),
            await Redaction.CallbacksAsync(conn, tx, Erasable(PersonalDataKinds.Callback), now, now, ct),
            await Redaction.MessagesAsync(conn, tx, Erasable(PersonalDataKinds.Message), now, maxAttempts, now, ct),
            await Redaction.FaultReportsAsync(conn, tx, Erasable(PersonalDataKinds.FaultReport), faultReportsCutoff, now, ct),
            await Redaction.GuidanceErasedAsync(conn, tx, Erasable(PersonalDataKinds.Guidance), now, ct));
        var kept = found.Where(f => f.Code is not null)
            .Select(f => new KeptRecord(f.Kind, f.Id, f.Code!, Explain(f, options)))
            .ToList();

        var targetKind = byNumber ? "phone_number" : "name";
        if (erased.Total > 0 || kept.Count == 0)
        {
            await accessLog.RecordAsync(conn, tx, actor, new AccessLogRecord(
                AccessActions.RegisterErasure, targetKind, SubjectHash: subjectHash, Detail: request.Reason!.Trim(),
                RecordCount: erased.Total), ct);
        }

        if (kept.Count > 0)
        {
            var codes = string.Join(", ", kept.GroupBy(k => k.Code).Select(g => $"{g.Key} ×{g.Count()}"));
            await accessLog.RecordAsync(conn, tx, actor, new AccessLogRecord(
                AccessActions.RegisterErasureRefused, targetKind, SubjectHash: subjectHash,
                Detail: $"{request.Reason!.Trim()} (kept: {codes})", RecordCount: kept.Count), ct);
        }

        await tx.CommitAsync(ct);
        LogErased(logger, actor.Id, targetKind, erased.Calls, erased.Callbacks, erased.Messages, erased.FaultReports, erased.Guidance, kept.Count);
        return new ErasureResult(erased, kept);
    }

    // Every record holding the number (or name) whose data is still there, with why it must be kept
    // (code) or null when it may go. Read without locks: a call in progress is never held up, and the
    // removal statements check again under their own locks. A caller's calls are found through the
    // index the call history uses (CallHistory.CallsOfCaller, calls_by_caller), never by reading the whole of calls.
    public const string FindSql = $"""
        select 'call' as kind, c.id,
               case when c.state not in ('completed', 'abandoned') then 'call-in-progress' end as code,
               null::timestamptz as until
        from calls c
        where @number::text is not null and c.id in ({CallHistory.CallsOfCaller}) and c.personal_data_removed_at is null
        union all
        select 'callback', b.id, case when b.window_end > @now then 'callback-pending' end, b.window_end
        from callbacks b
        where b.personal_data_removed_at is null
          and (b.caller_number = @number::text or lower(regexp_replace(btrim(b.caller_name), '\s+', ' ', 'g')) = @name::text)
        union all
        select 'message', m.id, case when m.sent_at is null and m.attempts < @maxAttempts then 'message-unsent' end, null
        from messages m
        where m.personal_data_removed_at is null
          and (m.caller_number = @number::text or lower(regexp_replace(btrim(m.caller_name), '\s+', ' ', 'g')) = @name::text)
        union all
        select 'fault_report', r.id, case when r.registered_at > @faultReportsCutoff then 'public-record' end, r.registered_at
        from fault_reports r
        where r.personal_data_removed_at is null
          and (r.contact_number = @number::text or lower(regexp_replace(btrim(r.contact_name), '\s+', ' ', 'g')) = @name::text)
        union all
        select 'guidance', g.id, null, null
        from guidance_sends g
        where @number::text is not null and g.personal_data_removed_at is null
          and (g.recipient = @number::text or g.call_id in ({CallHistory.CallsOfCaller}))
        """;

    private static string Explain(Match kept, RetentionOptions options) => kept.Code switch
    {
        KeptCodes.CallInProgress =>
            "The call is still in progress and its number is needed to handle it. Ask again once the call has ended.",
        KeptCodes.CallbackPending =>
            $"A callback is booked until {Local(kept.Until!.Value)} and the unit needs the number to call back. " +
            "Ask again after that time, or ask the unit to cancel the callback.",
        KeptCodes.MessageUnsent =>
            "The message has not been e-mailed to its recipient yet and needs the caller's details to be sent. " +
            "Ask again once it has been sent (an administrator can check the e-mail settings if it stays unsent).",
        KeptCodes.PublicRecord =>
            $"Fault reports are the municipality's registered public records (allmän handling) and are kept for " +
            $"{options.FaultReportsDays} days, until {Local(kept.Until!.Value.AddDays(options.FaultReportsDays))}, as the records plan " +
            "decides; the retention job removes the contact details then. Ask the municipality's registrar if it must go earlier.",
        _ => "The record must be kept.",
    };

    private static string Local(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Stockholm).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (Swedish time)";

    private sealed record Match(string Kind, Guid Id, string? Code, DateTimeOffset? Until);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Erasure by {ActorId} for a {TargetKind}: removed {Calls} calls, {Callbacks} callbacks, {Messages} messages, {FaultReports} fault reports, {Guidance} links sent; kept {Kept}")]
    private static partial void LogErased(ILogger logger, string actorId, string targetKind, int calls, int callbacks, int messages, int faultReports, int guidance, int kept);
}
