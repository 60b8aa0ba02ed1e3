using Microsoft.Net.Http.Headers;

namespace Umearegionen.Switchboard.PersonalData;

/// <summary>
/// Register extracts (GDPR art. 15) for administrators: everything stored about a phone number or a
/// name, as JSON or as CSV for Swedish Excel. Each extract is recorded in the access log with the
/// subject's keyed hash and the number of records found, never the number or name itself.
/// </summary>
public static class RegisterExtractApi
{
    public static IServiceCollection AddRegisterExtracts(this IServiceCollection services) =>
        services.AddSingleton<RegisterExtracts>();

    public static IEndpointRouteBuilder MapRegisterExtracts(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/personal-data/extract", Take)
            .WithTags("Personal data")
            .RequireAuthorization(Policies.Administrators)
            .WithNoStore()
            .WithSummary("Everything stored about a phone number (number=) or a name (name=); format=csv or Accept: text/csv for a CSV file");
        return app;
    }

    private static async Task<Results<Ok<Extract>, FileContentHttpResult, ValidationProblem>> Take(
        HttpContext http, ClaimsPrincipal user, RegisterExtracts extracts, AccessLog accessLog, CancellationToken ct,
        string? number = null, string? name = null, string? format = null)
    {
        var errors = new FieldErrors();
        errors.Subject(number, name,
            whenNeither: "Give the phone number (number=) or the name (name=) to take an extract for.",
            whenBoth: "Give either number or name, not both: take one extract for each.");
        var csv = WantsCsv(http, format, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var subject = number is not null
            ? new ExtractSubject(ExtractSubject.NumberKind, PhoneNumbers.Normalise(number))
            : new ExtractSubject(ExtractSubject.NameKind, AccessLog.NormaliseName(name!));
        var extract = await extracts.TakeAsync(subject, ct);
        await accessLog.RecordAsync(AccessActor.Of(user), new AccessLogRecord(
            AccessActions.RegisterExtract, subject.Kind == ExtractSubject.NumberKind ? "phone_number" : "name",
            SubjectHash: await accessLog.HashSubjectAsync(subject.Value, ct), RecordCount: extract.RecordCount), ct);
        return csv ? ExtractCsv.File(extract) : TypedResults.Ok(extract);
    }

    // format= decides; without it, Accept: text/csv asks for the file.
    private static bool WantsCsv(HttpContext http, string? format, FieldErrors errors)
    {
        switch (format?.Trim().ToLowerInvariant())
        {
            case "csv":
                return true;
            case "json":
                return false;
            case null or "":
                return http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
            default:
                errors.Add("format", "format must be \"json\" or \"csv\".");
                return false;
        }
    }
}
