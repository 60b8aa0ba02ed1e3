namespace Umearegionen.Switchboard.Routing;

public sealed record CallPage(IReadOnlyList<CallSummary> Calls, string? NextBefore);

/// <summary>
/// A call's history for support and complaints: managers and administrators find calls and read
/// their whole life. Only administrators see the caller's number and the outcome records' free
/// text, and each time they do it is recorded in the access log (docs/personal-data.md).
/// </summary>
public static class CallHistoryApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapCallHistory(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calls")
            .RequireAuthorization(Policies.Managers)
            .WithTags("Call history")
            .WithNoStore();
        group.MapGet("/", List)
            .WithSummary("Calls newest first, by time, platform call id or (administrators) caller number; paged with before");
        group.MapGet("/{id}", Get)
            .WithSummary("A call with its timeline and outcome records; the caller's number and free text for administrators only");
        return group;
    }

    private static async Task<Results<Ok<CallPage>, ValidationProblem, ProblemHttpResult>> List(
        ClaimsPrincipal user, CallHistory history, AccessLog accessLog, CancellationToken ct,
        string? from = null, string? to = null, string? platformCallId = null, string? number = null, string? limit = null,
        string? before = null)
    {
        var admin = user.IsAdministrator();
        if (number is not null && !admin)
        {
            return Problems.Forbidden(
                "Only administrators may search calls by the caller's number: managers see calls without it. " +
                "Search by time or platform call id, or ask an administrator.");
        }

        var errors = new FieldErrors();
        var fromAt = errors.Instant("from", from);
        var toAt = errors.Instant("to", to);
        if (fromAt is not null && toAt is not null && toAt <= fromAt)
        {
            errors.Add("to", "to must be after from.");
        }

        if (platformCallId is not null && string.IsNullOrWhiteSpace(platformCallId))
        {
            errors.Add("platformCallId", "platformCallId must not be empty; leave it out to list every call.");
        }

        errors.Optional("platformCallId", platformCallId, 200);
        errors.Subject(number, name: null, whenNeither: null, whenBoth: "");

        var take = errors.Limit(limit, DefaultLimit, MaxLimit);

        Guid? beforeId = null;
        DateTimeOffset? beforeAt = null;
        if (before is not null)
        {
            if (Guid.TryParse(before, out var id) && await history.QueuedAtAsync(id, ct) is { } at)
            {
                (beforeId, beforeAt) = (id, at);
            }
            else
            {
                errors.Add("before", "before must be the id of a call, as nextBefore of the previous page gives it.");
            }
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var normalised = number is null ? null : PhoneNumbers.Normalise(number);
        var rows = await history.SearchAsync(
            new CallSearch(fromAt, toAt, platformCallId?.Trim(), normalised, beforeAt, beforeId, take), ct);
        if (admin && (normalised is not null || rows.Count > 0))
        {
            // Administrators see the callers' numbers: a search by number and every list that shows numbers is recorded.
            await accessLog.RecordAsync(AccessActor.Of(user), new AccessLogRecord(
                AccessActions.CallHistoryViewed, normalised is null ? "call_list" : "phone_number",
                SubjectHash: normalised is null ? null : await accessLog.HashSubjectAsync(normalised, ct),
                RecordCount: rows.Count), ct);
        }

        var calls = rows.Select(r => r.ToSummary(admin)).ToList();
        return TypedResults.Ok(new CallPage(calls, calls.Count == take ? calls[^1].Id.ToString() : null));
    }

    private static async Task<Results<Ok<CallHistoryView>, ProblemHttpResult>> Get(
        string id, ClaimsPrincipal user, CallHistory history, AccessLog accessLog, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var callId))
        {
            return Problems.NotFound($"There is no call \"{id}\": a call's id is a UUID, as the list of calls gives it.");
        }

        var admin = user.IsAdministrator();
        var view = await history.FindAsync(callId, admin, ct);
        if (view is null)
        {
            return Problems.NotFound($"There is no call {callId}; it may have been removed, or the id is wrong.");
        }

        if (admin)
        {
            await accessLog.RecordAsync(AccessActor.Of(user), new AccessLogRecord(
                AccessActions.CallHistoryViewed, "call", callId.ToString(), RecordCount: 1), ct);
        }

        return TypedResults.Ok(view);
    }
}
