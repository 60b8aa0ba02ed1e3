namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Errors leave as RFC 9457 problem details with a message a person can act on; stack traces
/// never leave the process.
/// </summary>
public static class Problems
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
            if (ctx.ProblemDetails.Status == StatusCodes.Status500InternalServerError)
            {
                ctx.ProblemDetails.Detail =
                    "The service failed to handle the request. Nothing was changed if the request was a change; " +
                    "try again, and give the traceId to support if it happens again.";
            }
        });
        services.AddBadInput();
        return services;
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseNoNulInQuery();
        return app;
    }

    /// <summary>A 400 naming each field and what is wrong with it.</summary>
    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors,
            detail: detail ?? "Some fields are missing or invalid; correct them and send the request again.",
            title: "The request has invalid fields");

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: detail);
}

/// <summary>Collects field errors while a request is checked, then answers all of them at once.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public void Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{field} is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"{field} must be at most {maxLength} characters (it has {value.Length}).");
        }
    }

    public void Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Add(field, $"{field} must be at most {maxLength} characters (it has {value.Length}).");
        }
    }

    /// <summary>A date or time; UTC unless it names an offset. Null when not given (or not valid, which is recorded).</summary>
    public DateTimeOffset? Instant(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at) && at.Year is >= 2000 and <= 9000)
        {
            return at;
        }

        Add(field, $"{field} must be a date or time such as 2026-12-06 or 2026-12-06T08:00:00+01:00.");
        return null;
    }

    /// <summary>
    /// A data subject searched for (register extracts, erasures, the access log): a phone number or a
    /// citizen's name, at most one of them; <paramref name="whenNeither"/> is the message when one is
    /// required and neither is given.
    /// </summary>
    public void Subject(string? number, string? name, string? whenNeither, string whenBoth)
    {
        if (number is null && name is null)
        {
            if (whenNeither is not null)
            {
                Add("number", whenNeither);
            }
        }
        else if (number is not null && name is not null)
        {
            Add("number", whenBoth);
        }

        if (number is not null && !Routing.PhoneNumbers.LooksValid(number))
        {
            Add("number", "number must be a phone number, e.g. 070-123 45 67 or +46701234567.");
        }

        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            Add("name", "name must not be empty.");
        }

        Optional("name", name, MaxSubjectName);
    }

    public const int MaxSubjectName = 200;

    /// <summary>A page size given as text: <paramref name="otherwise"/> when not given; 1 to <paramref name="max"/>.</summary>
    public int Limit(string? value, int otherwise, int max, string field = "limit")
    {
        if (value is null)
        {
            return otherwise;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit)
            && limit is >= 1 && limit <= max)
        {
            return limit;
        }

        Add(field, $"{field} must be a whole number from 1 to {max}.");
        return otherwise;
    }

    /// <summary>A name or an e-mail address: one line of plain text (<see cref="PlainText"/>).</summary>
    public void SingleLine(string field, string? value)
    {
        if (PlainText.Problem(field, value) is { } message)
        {
            Add(field, message);
        }
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem(string? detail = null) => Problems.Validation(ToDictionary(), detail);
}
