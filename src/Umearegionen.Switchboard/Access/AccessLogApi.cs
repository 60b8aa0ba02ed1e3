namespace Umearegionen.Switchboard.Access;

/// <summary>Administrators read the access log: who opened personal data and who made privileged changes.</summary>
public static class AccessLogApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAccessLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/access-log", List)
            .WithTags("Access")
            .RequireAuthorization(Policies.Administrators)
            .WithNoStore()
            .WithSummary("The access log, newest first. Filter by time, action, actor, or a phone number or name that was searched for.");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AccessLogEntry>>, ValidationProblem>> List(
        AccessLog log, CancellationToken ct,
        string? from = null, string? to = null, string? action = null, string? actorId = null,
        string? number = null, string? name = null, string? before = null, string? limit = null)
    {
        var errors = new FieldErrors();
        var fromAt = errors.Instant("from", from);
        var toAt = errors.Instant("to", to);
        long? beforeId = null;
        if (before is not null)
        {
            if (long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                beforeId = b;
            }
            else
            {
                errors.Add("before", "before must be the id of an access log entry (a whole number), as given by the previous page.");
            }
        }

        var take = errors.Limit(limit, DefaultLimit, MaxLimit);

        errors.Optional("action", action, 64);
        errors.Optional("actorId", actorId, 64);
        errors.Subject(number, name, whenNeither: null, whenBoth: "Give either number or name, not both.");
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        string? subjectHash = number is not null ? await log.HashSubjectAsync(PhoneNumbers.Normalise(number), ct)
            : name is not null ? await log.HashSubjectAsync(AccessLog.NormaliseName(name), ct)
            : null;
        return TypedResults.Ok(await log.ListAsync(new AccessLogQuery(fromAt, toAt, action, actorId, subjectHash, beforeId, take), ct));
    }
}
