using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Bad input is a 400 naming the field, in every environment, never a 500: a 500 tells the telephony
/// platform to retry for ever. Binding failures (malformed JSON, wrong types, overflowing numbers,
/// empty bodies, unparsable query values) are thrown in every environment and answered here; a NUL
/// character, which PostgreSQL refuses in text, is refused in JSON strings and query strings.
/// </summary>
public static partial class BadInput
{
    public static IServiceCollection AddBadInput(this IServiceCollection services)
    {
        // Thrown (not a bare 400) so the handler can name the field; outside Development the default is a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new NoNulStringConverter()));
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return services;
    }

    /// <summary>A query string with a NUL character: a 400 naming the parameter.</summary>
    public static WebApplication UseNoNulInQuery(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // Kestrel already refuses a NUL in the path, so route values need no check.
            var field = http.Request.Query.FirstOrDefault(q => q.Key.Contains('\0') || q.Value.Any(v => v?.Contains('\0') == true)).Key;
            if (field is null)
            {
                await next(http);
                return;
            }

            field = field.Replace("\0", "\\u0000", StringComparison.Ordinal);
            await WriteAsync(http, StatusCodes.Status400BadRequest, field, ContainsNul(field));
        });
        return app;
    }

    public static string ContainsNul(string field) => $"{field} must not contain the NUL character (\\u0000); remove it and send again.";

    internal static async Task<bool> WriteAsync(HttpContext http, int status, string field, string message)
    {
        http.Response.StatusCode = status;
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = status,
            Title = "The request has invalid fields",
            Detail = "Some fields are missing or invalid; correct them and send the request again.",
        };
        return await http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    /// <summary>The field a JSON path names: "$.destination.id" is destination.id, "$" is the body itself.</summary>
    public static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>What a value of a .NET type looks like, in words for the person sending it.</summary>
    public static string Expected(string type) => type.TrimEnd('?').Replace("System.", "", StringComparison.Ordinal).Replace("Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']') switch
    {
        "int" or "Int32" or "long" or "Int64" or "short" or "Int16" => "a whole number within range (e.g. 10)",
        "double" or "Double" or "decimal" or "Decimal" or "float" or "Single" => "a number (e.g. 2.5)",
        "bool" or "Boolean" => "true or false",
        "Guid" => "an id such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "DateTimeOffset" or "DateTime" => "a date and time such as 2026-12-06T08:00:00+01:00",
        "DateOnly" => "a date such as 2026-12-06",
        "TimeOnly" => "a time such as 08:30",
        "string" or "String" => "a string",
        var t when t.Contains("List", StringComparison.Ordinal) || t.EndsWith("[]", StringComparison.Ordinal) => "a list ([...])",
        _ => "a value of the documented type (see /openapi/v1.json)",
    };

    [GeneratedRegex("""parameter "(?<type>[^"]+) (?<name>[^" ]+)"(?: from "[^"]*")?""")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex(@"out of bounds for an? (?<type>\w+)")]
    private static partial Regex OutOfBoundsPattern();

    [GeneratedRegex(@"converted to (?<type>[\w.`\[\], ]+?)\. Path", RegexOptions.None)]
    private static partial Regex ConvertedPattern();

    /// <summary>The field and what to do, from a binding failure.</summary>
    public static (string Field, string Message) Describe(BadHttpRequestException bad)
    {
        if (Find<NulCharacterException>(bad) is { } nul)
        {
            var field = FieldOf(nul.Path);
            return (field, ContainsNul(field));
        }

        if (Find<JsonException>(bad) is { } json)
        {
            var field = FieldOf(json.Path);
            var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
            if (json.InnerException?.GetType().Name == "JsonReaderException")
            {
                return (field, $"The body is not valid JSON{where}{(field == "body" ? "" : $" near {field}")}; correct the JSON and send it again.");
            }

            // A number out of range names its type in the inner FormatException; other mismatches in the message.
            var type = json.InnerException is FormatException && OutOfBoundsPattern().Match(json.InnerException.Message) is { Success: true } f
                ? f.Groups["type"].Value
                : ConvertedPattern().Match(json.Message) is { Success: true } m ? m.Groups["type"].Value : "";
            return (field, $"{field} has the wrong type or is out of range{where}; send {Expected(type)}.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ("body", "Send the body as JSON with Content-Type: application/json.");
        }

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ("body", "The body is too large; send a smaller one.");
        }

        var parameter = ParameterPattern().Match(bad.Message);
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) && !bad.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            return ("body", "A JSON body is required; send the fields as a JSON object with Content-Type: application/json.");
        }

        if (parameter.Success)
        {
            var name = parameter.Groups["name"].Value;
            return bad.Message.StartsWith("Required parameter", StringComparison.Ordinal)
                ? (name, $"{name} is required.")
                : (name, $"{name} is not valid; send {Expected(parameter.Groups["type"].Value)}.");
        }

        return ("request", "The request could not be read; check its body, query string and Content-Type.");
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }
}

/// <summary>A NUL character in a JSON string; System.Text.Json adds the path.</summary>
public sealed class NulCharacterException() : JsonException("The string contains a NUL character (\\u0000).");

/// <summary>Refuses strings with a NUL character, which PostgreSQL cannot store in text.</summary>
public sealed class NoNulStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0') ? throw new NulCharacterException() : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// A binding failure is the sender's mistake: a 400 (or the 413/415 it carries) naming the field, logged
/// as Information without a stack trace.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
        {
            return false;
        }

        var (field, message) = BadInput.Describe(bad);
        // The field only: the value may be personal data.
        Refused(logger, http.Request.Method, http.Request.Path, field);
        return await BadInput.WriteAsync(http, bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest, field, message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {RequestMethod} {RequestPath}: {Field} could not be read")]
    private static partial void Refused(ILogger logger, string requestMethod, string requestPath, string field);
}
