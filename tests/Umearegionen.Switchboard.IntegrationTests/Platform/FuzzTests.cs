using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Umearegionen.Switchboard.IntegrationTests.Live;
using Umearegionen.Switchboard.Live;
using Xunit.Abstractions;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>
/// Every operation of /openapi/v1.json and every hub method, called over real HTTP and with the npm SignalR client
/// with generated bad values (wrong JSON types, NUL, huge and empty strings, extreme numbers and dates, malformed
/// JSON, wrong content types, bad route and query values), as a role that may call it so the value reaches the
/// binding and validation. Each answers 4xx, never 5xx nor a dropped connection (the hub: an error with a code of
/// docs/hub.md, never server-error), and a refused write leaves every table's row count as it was.
/// Seeded: SWITCHBOARD_FUZZ_SEED replays a run (docs/testing.md); every failure names its seed.
/// </summary>
public sealed class FuzzTests(ListeningApp app, ITestOutputHelper output) : IClassFixture<ListeningApp>
{
    public const string SeedVariable = "SWITCHBOARD_FUZZ_SEED";

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var seed) ? seed : 20261206;

    /// <summary>A generated value. Strict: certainly wrong, so it must be refused (4xx); else it may be accepted, but never a 5xx.</summary>
    private sealed record Bad(string Label, JsonNode? Value, bool Strict);

    private sealed record BadText(string Label, string Raw, bool Strict);

    private static readonly string Huge = new('x', 1024 * 1024);

    // ------------------------------------------------------------------------------------------------------ HTTP

    [Fact]
    public async Task EveryApiOperationAnswersBadValuesWithA4xxAndARefusedWriteChangesNoRow()
    {
        var random = new Random(Seed);
        var fixture = await HttpFixtureAsync();
        using var document = JsonDocument.Parse(await fixture.Clients["anonymous"].GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var operations = new List<(string Method, string Path, JsonElement Operation)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                operations.Add((op.Name.ToUpperInvariant(), path.Name, op.Value));
            }
        }

        // Deletes last, so what they may remove is there for the others.
        operations = operations.OrderBy(o => o.Method == "DELETE").ToList();
        var failures = new List<string>();
        var requests = 0;
        var (sending, counting) = (new System.Diagnostics.Stopwatch(), new System.Diagnostics.Stopwatch());
        var statuses = new SortedDictionary<int, int>();
        async Task<Dictionary<string, long>> CountAsync()
        {
            counting.Start();
            var counts = await RowCountsAsync();
            counting.Stop();
            return counts;
        }

        async Task<(int? Status, string Body)> SendTimedAsync(HttpClient client, string method, HttpCase c)
        {
            sending.Start();
            var answer = await SendAsync(client, new HttpMethod(method), c);
            sending.Stop();
            return answer;
        }

        foreach (var (method, path, operation) in operations)
        {
            var roles = RolesFor(method, path);
            var write = method != "GET";
            // The rows are counted around the operation's cases; only if a write went through, or something changed,
            // is each refused write sent again alone between two counts to find the one that changed a row.
            var before = write ? await CountAsync() : null;
            var refused = new List<(HttpCase Case, string Role, string What)>();
            var accepted = false;
            foreach (var c in HttpCases(random, method, path, operation, schemas, fixture))
            {
                var role = roles[random.Next(roles.Count)];
                requests++;
                var (status, body) = await SendTimedAsync(fixture.Clients[role], method, await WithVersionAsync(c, fixture));
                statuses[status ?? 0] = statuses.GetValueOrDefault(status ?? 0) + 1;
                var what = $"{method} {path} as {role}, {c.Label} ({Shorten(c.Url, 120)})";
                if (status is null)
                {
                    failures.Add($"{what}: no answer ({body})");
                    continue;
                }

                if (status >= 500 || (c.Strict && status is < 400 or >= 500))
                {
                    failures.Add($"{what}: {status} {Shorten(body)}");
                }

                if (write && status >= 400)
                {
                    refused.Add((c, role, what));
                }
                else
                {
                    accepted |= write;
                }
            }

            if (refused.Count == 0 || (!accepted && Changed(before!, await CountAsync(), path) is null))
            {
                continue;
            }

            await QuietAsync();
            foreach (var (c, role, what) in refused)
            {
                var alone = await CountAsync();
                var (status, _) = await SendTimedAsync(fixture.Clients[role], method, await WithVersionAsync(c, fixture));
                if (status >= 400 && Changed(alone, await CountAsync(), path) is { } changed)
                {
                    failures.Add($"{what}: refused with {status} but changed {changed}");
                }
                else if (status < 400)
                {
                    await QuietAsync();
                }
            }
        }

        output.WriteLine($"seed {Seed}: {requests} requests over {operations.Count} operations, {failures.Count} failures " +
                         $"({sending.Elapsed.TotalSeconds:0.0} s sending, {counting.Elapsed.TotalSeconds:0.0} s counting rows); answers: " +
                         string.Join(", ", statuses.Select(x => $"{x.Key} ×{x.Value}")));
        Assert.True(failures.Count == 0,
            $"Fuzz seed {Seed} (replay: {SeedVariable}={Seed}): {failures.Count} of {requests} requests failed:\n" + string.Join("\n", failures.Take(40)));
        Assert.True(operations.Count > 50, $"only {operations.Count} operations in /openapi/v1.json");
    }

    /// <summary>One request. VersionOf: the entry whose current ETag goes in If-Match, so the request gets past the version check.</summary>
    private sealed record HttpCase(string Label, string Url, HttpContent? Content, bool Strict, (string Name, string Value)? Header = null)
    {
        public string? VersionOf { get; init; }
    }

    private sealed record HttpFixture(Dictionary<string, HttpClient> Clients, Dictionary<string, string> PathValues);

    private async Task<HttpFixture> HttpFixtureAsync()
    {
        HttpClient Client(string? token = null, string? apiKey = null)
        {
            var client = new HttpClient { BaseAddress = new Uri(app.BaseAddress), Timeout = TimeSpan.FromSeconds(30) };
            if (token is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (apiKey is not null)
            {
                client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
            }

            return client;
        }

        var key = await app.Service<ApiKeys>().CreateAsync("fuzz platform", Roles.Telephony, SwitchboardApp.TestActor, CancellationToken.None);
        var clients = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = Client(),
            [Roles.Administrator] = Client(await app.TokenForAsync(Roles.Administrator)),
            [Roles.Editor] = Client(await app.TokenForAsync(Roles.Editor, "2480")),
            [Roles.Manager] = Client(await app.TokenForAsync(Roles.Manager)),
            [Roles.Operator] = Client(await app.TokenForAsync(Roles.Operator, "2480")),
            [Roles.Telephony] = Client(apiKey: key.Key),
        };
        var unit = await CreateUnitAsync(clients[Roles.Administrator], "2480", Unique("Fuzzenheten"));
        var person = await CreatePersonAsync(clients[Roles.Administrator], unit.Id, Unique("Fuzz Person"));
        var platformCallId = "fuzz-" + Guid.NewGuid().ToString("N");
        var call = await clients[Roles.Telephony].PostAsync("/api/telephony/calls", Json(
            $$"""{"platformCallId":"{{platformCallId}}","callerNumber":"+46701234567","dialledNumber":"+4690161000"}"""));
        var callId = JsonDocument.Parse(await call.Content.ReadAsStringAsync()).RootElement.GetProperty("callId").GetString()!;
        var (spare, _) = await app.CreateAccountAsync(Roles.Operator, "2480");
        return new HttpFixture(clients, new Dictionary<string, string>
        {
            ["unit"] = unit.Id.ToString(), ["person"] = person.Id.ToString(), ["call"] = callId, ["account"] = spare.Id.ToString(),
            ["platformCallId"] = platformCallId,
        });
    }

    /// <summary>The roles that may call the operation, from the endpoint's own authorization metadata.</summary>
    private List<string> RolesFor(string method, string path)
    {
        var endpoint = app.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Single(e =>
            Template(e.RoutePattern) == path && e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) == true);
        var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        if (authorize.Count == 0 || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return ["anonymous"];
        }

        IEnumerable<string> roles = [Roles.Administrator, Roles.Editor, Roles.Manager, Roles.Operator, Roles.Telephony];
        var provider = app.Service<IAuthorizationPolicyProvider>();
        foreach (var data in authorize)
        {
            if (data.Roles is { } named)
            {
                roles = roles.Intersect(named.Split(',', StringSplitOptions.TrimEntries));
            }

            var policy = data.Policy is null ? provider.GetDefaultPolicyAsync().Result : provider.GetPolicyAsync(data.Policy).Result!;
            foreach (var requirement in policy.Requirements.OfType<RolesAuthorizationRequirement>())
            {
                roles = roles.Intersect(requirement.AllowedRoles);
            }
        }

        var allowed = roles.ToList();
        Assert.True(allowed.Count > 0, $"{method} {path}: no role may call it");
        return allowed;
    }

    private static string Template(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart p => "{" + p.Name + "}",
            _ => "",
        }))));

    /// <summary>A value of the route parameter that names something that exists, so the other values are what is wrong.</summary>
    private static string PathValue(string path, string name, HttpFixture fixture) => name switch
    {
        "code" => "2480",
        "kind" => "units",
        "date" or "anyDateInWeek" => "2026-12-07",
        "year" => "2026",
        "platformCallId" => fixture.PathValues["platformCallId"],
        "unitId" => fixture.PathValues["unit"],
        "id" when path.Contains("/accounts/", StringComparison.Ordinal) => fixture.PathValues["account"],
        "id" when path.Contains("/people/", StringComparison.Ordinal) => fixture.PathValues["person"],
        "id" when path.StartsWith("/api/calls/", StringComparison.Ordinal) => fixture.PathValues["call"],
        "id" when path.Contains("/units/", StringComparison.Ordinal) || path.Contains("{kind}", StringComparison.Ordinal) => fixture.PathValues["unit"],
        _ => Guid.NewGuid().ToString(),
    };

    private List<HttpCase> HttpCases(Random random, string method, string path, JsonElement operation, JsonElement schemas, HttpFixture fixture)
    {
        var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
        var pathValues = parameters.Where(x => x.GetProperty("in").GetString() == "path")
            .ToDictionary(x => x.GetProperty("name").GetString()!, x => PathValue(path, x.GetProperty("name").GetString()!, fixture));
        string Url(IReadOnlyDictionary<string, string> values, string query = "") =>
            values.Aggregate(path, (url, v) => url.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal)) + query;

        JsonElement? jsonSchema = null;
        string? otherMedia = null;
        if (operation.TryGetProperty("requestBody", out var requestBody))
        {
            foreach (var media in requestBody.GetProperty("content").EnumerateObject())
            {
                if (media.Name == "application/json")
                {
                    jsonSchema = media.Value.TryGetProperty("schema", out var s) ? s : default(JsonElement?);
                }
                else
                {
                    otherMedia ??= media.Name;
                }
            }
        }

        var baseline = jsonSchema is { } bodySchema ? Example(bodySchema, schemas, "body", 0) : null;
        HttpContent? BaselineContent() => baseline is null ? null : Json(baseline.ToJsonString());
        var cases = new List<HttpCase>();

        // Route values.
        foreach (var (name, _) in pathValues)
        {
            foreach (var bad in Pick(random, PathPool, 4))
            {
                cases.Add(new HttpCase($"route {name} = {bad.Label}", Url(new Dictionary<string, string>(pathValues) { [name] = bad.Raw }),
                    BaselineContent(), bad.Strict));
            }
        }

        // Query values, one parameter at a time.
        foreach (var query in parameters.Where(x => x.GetProperty("in").GetString() == "query"))
        {
            var name = query.GetProperty("name").GetString()!;
            var querySchema = query.TryGetProperty("schema", out var qs) ? qs : default;
            foreach (var bad in Pick(random, QueryPool(querySchema), 4))
            {
                cases.Add(new HttpCase($"query {name} = {bad.Label}", Url(pathValues, $"?{Uri.EscapeDataString(name)}={bad.Raw}"), BaselineContent(), bad.Strict));
            }
        }

        // Header values (If-Match).
        foreach (var header in parameters.Where(x => x.GetProperty("in").GetString() == "header"))
        {
            var name = header.GetProperty("name").GetString()!;
            foreach (var value in new[] { "\"not-a-version\"", "garbage", "\"99999999999999999999\"", "W/\"-1\"" })
            {
                cases.Add(new HttpCase($"header {name} = {value}", Url(pathValues), BaselineContent(), false, (name, value)));
            }
        }

        if (baseline is not null)
        {
            // The body as a whole.
            var text = baseline.ToJsonString();
            cases.Add(new HttpCase("malformed JSON", Url(pathValues), Json(text[..Math.Max(1, text.Length / 2)]), true));
            cases.Add(new HttpCase("JSON with a trailing comma", Url(pathValues), Json(text.TrimEnd('}') + ",}"), true));
            cases.Add(new HttpCase("an array for the body", Url(pathValues), Json("[]"), true));
            cases.Add(new HttpCase("a number for the body", Url(pathValues), Json("42"), true));
            cases.Add(new HttpCase("a string for the body", Url(pathValues), Json("\"text\""), true));
            cases.Add(new HttpCase("null for the body", Url(pathValues), Json("null"), true));
            cases.Add(new HttpCase("an empty body", Url(pathValues), Json(""), true));
            cases.Add(new HttpCase("JSON nested 1000 deep", Url(pathValues), Json(new string('[', 1000) + new string(']', 1000)), true));
            // Bytes that are not UTF-8 inside the first text value (in an unknown field's name they would be skipped unread).
            var utf8 = Encoding.UTF8.GetBytes(text).ToList();
            var at = text.IndexOf(":\"", StringComparison.Ordinal);
            utf8.InsertRange(at < 0 ? 0 : Encoding.UTF8.GetByteCount(text[..(at + 2)]), [0xFF, 0xFE]);
            cases.Add(new HttpCase("not UTF-8", Url(pathValues), new ByteArrayContent([.. utf8])
                { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }, true));
            cases.Add(new HttpCase("Content-Type text/plain", Url(pathValues), new StringContent(text, Encoding.UTF8, "text/plain"), true));
            cases.Add(new HttpCase("Content-Type application/xml", Url(pathValues), new StringContent("<a/>", Encoding.UTF8, "application/xml"), true));
            cases.Add(new HttpCase("no Content-Type", Url(pathValues), new ByteArrayContent(Encoding.UTF8.GetBytes(text)), true));
            cases.Add(new HttpCase("an unknown 1 MB field", Url(pathValues), Json(With(baseline, "fuzzUnknown", Huge).ToJsonString()), false));

            // Each field with wrong values; one field of the operation also gets 1 MB of text.
            var hugeAt = random.Next(Math.Max(1, Fields(baseline).Count()));
            var n = 0;
            foreach (var (field, fieldSchema) in Fields(baseline).Select(f => (f, SchemaAt(jsonSchema!.Value, schemas, f))))
            {
                var pool = ValuePool(fieldSchema, schemas, field);
                var picked = Pick(random, pool.Where(b => b.Value is not JsonValue v || !v.TryGetValue<string>(out var s) || s.Length < 1000).ToList(), 5);
                if (n++ == hugeAt && IsText(fieldSchema))
                {
                    picked.Add(new Bad("1 MB of text", Huge, false));
                }

                foreach (var bad in picked)
                {
                    cases.Add(new HttpCase($"{field} = {bad.Label}", Url(pathValues), Json(With(baseline, field, bad.Value).ToJsonString()), bad.Strict));
                }
            }
        }
        else if (otherMedia is not null)
        {
            // The directory import: CSV or multipart.
            cases.Add(new HttpCase("CSV with a NUL", Url(pathValues), new StringContent("type;name\nunit;Bad\0name\n", Encoding.UTF8, "text/csv"), true));
            cases.Add(new HttpCase("CSV that is not UTF-8", Url(pathValues), new ByteArrayContent([0x74, 0x3B, 0xFF, 0xFE, 0x0A])
                { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, true));
            cases.Add(new HttpCase("CSV with only a header of unknown columns", Url(pathValues), new StringContent("nonsense;columns\n", Encoding.UTF8, "text/csv"), true));
            cases.Add(new HttpCase("CSV with a 1 MB cell", Url(pathValues), new StringContent("type;name\nunit;" + Huge + "\n", Encoding.UTF8, "text/csv"), false));
            var broken = new ByteArrayContent(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ntype;name"));
            broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
            cases.Add(new HttpCase("broken multipart", Url(pathValues), broken, true));
            var noBoundary = new ByteArrayContent(Encoding.UTF8.GetBytes("type;name\n"));
            noBoundary.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");
            cases.Add(new HttpCase("multipart without a boundary", Url(pathValues), noBoundary, true));
            cases.Add(new HttpCase("JSON instead of CSV", Url(pathValues), Json("{}"), true));
        }
        else if (method != "GET" && method != "DELETE")
        {
            // Operations that take no body: a body of junk must not be taken for something.
            cases.Add(new HttpCase("an unexpected malformed body", Url(pathValues), Json("{\"x\":"), false));
        }

        // A change of a versioned entry without If-Match is refused (428) before its body is looked at. Not every
        // versioned entry declares the header (opening hours do not), so every change asks for the entry's ETag.
        return method is "PUT" or "PATCH" or "DELETE"
            ? cases.Select(c => c.Header is null ? c with { VersionOf = Url(pathValues) } : c).ToList()
            : cases;
    }

    private static List<T> Pick<T>(Random random, IReadOnlyList<T> pool, int count) =>
        pool.OrderBy(_ => random.Next()).Take(count).ToList();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static readonly IReadOnlyList<BadText> PathPool =
        [
            new("not-a-guid", "not-a-guid", true), new("NUL", "a%00b", true), new("5000 characters", new string('x', 5000), true),
            new("-1", "-1", true), new("an overflowing number", "99999999999999999999", true), new("NaN", "NaN", true),
            new("a space", "%20", true), new("a right-to-left override", "%E2%80%AE", true),
            new("an encoded slash", "..%2F..", true), new("0001-01-01", "0001-01-01", false), new("9999-12-31", "9999-12-31", false),
        ];

    private static IReadOnlyList<BadText> QueryPool(JsonElement schema)
    {
        var type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) ? t.ToString() : "";
        var format = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var typed = type.Contains("integer", StringComparison.Ordinal) || type.Contains("boolean", StringComparison.Ordinal) || format == "uuid";
        return
        [
            new("NUL", "a%00b", true), new("only NUL", "%00", true), new("abc", "abc", typed), new("an overflowing number", "99999999999999999999", typed),
            new("NaN", "NaN", typed), new("-1", "-1", false), new("empty", "", false), new("8000 characters", new string('x', 8000), false),
            new("0001-01-01", "0001-01-01", false), new("9999-12-31", "9999-12-31", false), new("garbage date", "2026-13-45", false),
            new("not-a-guid", "not-a-guid", typed), new("1.5", "1.5", type.Contains("integer", StringComparison.Ordinal)),
            new("a control character", "%0D%0A", false), new("repeated", "1&x=2", false),
        ];
    }

    /// <summary>Wrong values for a JSON field of the schema.</summary>
    private static IReadOnlyList<Bad> ValuePool(JsonElement schema, JsonElement schemas, string field)
    {
        var (type, format, isRef) = Kind(schema, schemas);
        var wrongTypes = new List<Bad> { new("a number", 42, true), new("true", true, true), new("an object", new JsonObject(), true), new("an array", new JsonArray(), true) };
        var pool = new List<Bad> { new("null", null, false) };
        switch (type)
        {
            case "integer":
                pool.AddRange([
                    new("\"abc\"", "abc", true), new("int overflow", JsonValue.Create(2147483648L), format != "int64"),
                    new("int underflow", JsonValue.Create(-2147483649L), format != "int64"), new("long overflow", JsonNode.Parse("9223372036854775808"), true),
                    new("1e400", JsonNode.Parse("1e400"), true), new("1.5", 1.5, true), new("\"NaN\"", "NaN", true), new("true", true, true),
                    new("-1", -1, false), new("an array", new JsonArray(), true),
                ]);
                break;
            case "number":
                pool.AddRange([new("\"NaN\"", "NaN", true), new("\"Infinity\"", "Infinity", true), new("\"abc\"", "abc", true), new("-1", -1, false), new("an object", new JsonObject(), true)]);
                break;
            case "boolean":
                pool.AddRange([new("\"yes\"", "yes", true), new("1", 1, true), new("an array", new JsonArray(), true)]);
                break;
            case "array":
                pool.AddRange([new("a string", "text", true), new("an object", new JsonObject(), true), new("a number", 42, true),
                    new("[null]", new JsonArray((JsonNode?)null), false), new("a NUL in an item", new JsonArray("a\0b"), true), new("[42]", new JsonArray(42), false)]);
                break;
            case "object" when isRef:
                pool.AddRange([new("a string", "text", true), new("a number", 42, true), new("an array", new JsonArray(), true), new("an empty object", new JsonObject(), false)]);
                break;
            case "string" when format == "uuid":
                pool.AddRange([new("not-a-guid", "not-a-guid", true), new("a number", 42, true), new("empty", "", true), new("NUL", "a\0b", true),
                    new("zero guid", Guid.Empty.ToString(), false), new("random guid", Guid.NewGuid().ToString(), false), new("an object", new JsonObject(), true)]);
                break;
            case "string" when format is "date-time" or "date":
                var date = format == "date";
                pool.AddRange([new("garbage date", "garbage", true), new("30 February", date ? "2026-02-30" : "2026-02-30T10:00:00Z", true),
                    new("0001-01-01", date ? "0001-01-01" : "0001-01-01T00:00:00Z", false), new("9999-12-31", date ? "9999-12-31" : "9999-12-31T23:59:59Z", false),
                    new("before year 1 in UTC", date ? "0000-12-31" : "0001-01-01T00:00:00+14:00", true), new("a number", 42, true), new("empty", "", true),
                    new("NUL", "a\0b", true)]);
                break;
            default:
                // A string (the schema of a plain string is empty here) or anything not described.
                pool.AddRange(wrongTypes);
                pool.AddRange([new("NUL", "a\0b", true), new("only NUL", "\0", true), new("empty", "", false), new("spaces", "   ", false),
                    new("CR LF", "a\r\nBcc: x@example.com", false), new("a right-to-left override", "\u202Etxt", false),
                    new("an unpaired surrogate", "\ud800", false), new("10 000 characters", new string('é', 10_000), false)]);
                break;
        }

        return pool;
    }

    private static bool IsText(JsonElement schema) => schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out _) ||
                                                      schema.GetProperty("type").ToString() is var t && t.Contains("string", StringComparison.Ordinal) && !t.Contains("integer", StringComparison.Ordinal);

    private static (string Type, string? Format, bool IsRef) Kind(JsonElement schema, JsonElement schemas)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return ("string", null, false);
        }

        if (Resolve(schema, schemas) is { } resolved && !resolved.Equals(schema))
        {
            return ("object", null, true);
        }

        var type = schema.TryGetProperty("type", out var t) ? t.ToString() : "";
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return type switch
        {
            _ when type.Contains("integer", StringComparison.Ordinal) => ("integer", format, false),
            _ when type.Contains("number", StringComparison.Ordinal) => ("number", format, false),
            _ when type.Contains("boolean", StringComparison.Ordinal) => ("boolean", format, false),
            _ when type.Contains("array", StringComparison.Ordinal) => ("array", format, false),
            _ when type.Contains("object", StringComparison.Ordinal) => ("object", format, schema.TryGetProperty("properties", out _)),
            _ => ("string", format, false),
        };
    }

    /// <summary>The object schema a $ref or oneOf [null, $ref] points to; null when it is not one.</summary>
    private static JsonElement? Resolve(JsonElement schema, JsonElement schemas)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
        {
            foreach (var option in oneOf.EnumerateArray())
            {
                if (option.TryGetProperty("$ref", out _))
                {
                    return Resolve(option, schemas);
                }
            }
        }

        return schema.TryGetProperty("properties", out _) ? schema : null;
    }

    /// <summary>A plausible value for the schema, so that a request fails for the one value the case makes wrong.</summary>
    private static JsonNode? Example(JsonElement schema, JsonElement schemas, string name, int depth)
    {
        if (depth < 4 && Resolve(schema, schemas) is { } resolved && resolved.TryGetProperty("properties", out var properties))
        {
            var example = new JsonObject();
            foreach (var property in properties.EnumerateObject())
            {
                example[property.Name] = Example(property.Value, schemas, property.Name, depth + 1);
            }

            return example;
        }

        var (type, format, _) = Kind(schema, schemas);
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0)
        {
            return JsonNode.Parse(values[0].GetRawText());
        }

        return type switch
        {
            "integer" => 1,
            "number" => 1.5,
            "boolean" => false,
            "array" => new JsonArray(),
            "object" => new JsonObject(),
            _ when format == "uuid" => Guid.NewGuid().ToString(),
            _ when format == "date-time" => "2026-12-07T10:00:00+01:00",
            _ when format == "date" => "2026-12-07",
            _ => name.ToLowerInvariant() switch
            {
                "municipalitycode" or "municipality" or "code" => "2480",
                "level" => "unit",
                "email" or "recipientemail" => "fuzz@example.com",
                "phone" or "number" or "callernumber" or "contactnumber" => "+46701234567",
                "dialllednumber" or "diallednumber" or "mainnumber" => "+4690161000",
                "role" => "operator",
                "kind" => "unit",
                "password" => "a long enough password 123",
                _ => "fuzz",
            },
        };
    }

    /// <summary>The fields of the example, top-level and one level into objects, as paths ("whenClosed.kind").</summary>
    private static IEnumerable<string> Fields(JsonNode? example)
    {
        if (example is not JsonObject body)
        {
            yield break;
        }

        foreach (var (name, value) in body)
        {
            yield return name;
            if (value is JsonObject inner)
            {
                foreach (var (innerName, _) in inner)
                {
                    yield return $"{name}.{innerName}";
                }
            }
        }
    }

    private static JsonElement SchemaAt(JsonElement schema, JsonElement schemas, string field)
    {
        var current = schema;
        foreach (var part in field.Split('.'))
        {
            if (Resolve(current, schemas) is not { } resolved || !resolved.TryGetProperty("properties", out var properties)
                                                                  || !properties.TryGetProperty(part, out current))
            {
                return default;
            }
        }

        return current;
    }

    private static JsonNode With(JsonNode example, string field, JsonNode? value)
    {
        var copy = example.DeepClone();
        var parts = field.Split('.');
        var target = copy.AsObject();
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        target[parts[^1]] = value?.DeepClone();
        return copy;
    }

    private static async Task<(int? Status, string Body)> SendAsync(HttpClient client, HttpMethod method, HttpCase c)
    {
        // A copy, so that a case can be sent again (the request disposes its content).
        using var request = new HttpRequestMessage(method, c.Url) { Content = await CopyAsync(c.Content) };
        if (c.Header is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        try
        {
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task<HttpCase> WithVersionAsync(HttpCase c, HttpFixture fixture)
    {
        if (c.VersionOf is null)
        {
            return c;
        }

        using var current = await fixture.Clients[Roles.Administrator].GetAsync(c.VersionOf);
        // "0": nothing is stored yet (opening hours never set).
        return c with { Header = ("If-Match", current.Headers.ETag?.ToString() ?? "\"0\"") };
    }

    private static async Task<HttpContent?> CopyAsync(HttpContent? content)
    {
        if (content is null)
        {
            return null;
        }

        var copy = new ByteArrayContent(await content.ReadAsByteArrayAsync());
        foreach (var (name, values) in content.Headers.NonValidated)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        return copy;
    }

    private static string Shorten(string text, int length = 400) => text.Length > length ? text[..length] + "…" : text;

    // ------------------------------------------------------------------------------------------------------- hub

    [Fact]
    public async Task EveryHubMethodAnswersBadArgumentsWithACodedErrorAndARefusalChangesNoRow()
    {
        var random = new Random(Seed);
        var tokens = new Dictionary<string, string>
        {
            [Roles.Operator] = await app.TokenForAsync(Roles.Operator, "2480"),
            [Roles.Manager] = await app.TokenForAsync(Roles.Manager),
            [Roles.Administrator] = await app.TokenForAsync(Roles.Administrator),
            [Roles.Editor] = await app.TokenForAsync(Roles.Editor, "2480"),
        };
        var methods = typeof(SwitchboardHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetCustomAttribute<HubPolicyAttribute>() is not null)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        Assert.True(methods.Count >= 15, $"only {methods.Count} hub methods found");
        var documented = typeof(HubErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name is not nameof(HubErrors.Marker) and not nameof(HubErrors.ServerError))
            .Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var cases = new List<(HubCase Case, string Role)>();
        var telephony = await app.TelephonyClientAsync();
        var failures = new List<string>();
        var codes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Check(string client, HubCase c, string role, bool ok, string? message, string? dashboardCode)
        {
            var what = $"{client}: {c.Method} as {role}, {c.Label}";
            if (ok)
            {
                if (c.Strict)
                {
                    failures.Add($"{what}: accepted");
                }

                return;
            }

            var code = HubErrors.Read(message)?.Code;
            codes[$"{client} {code ?? "none"}"] = codes.GetValueOrDefault($"{client} {code ?? "none"}") + 1;
            if (code is null || !documented.Contains(code) || (client == "npm" && dashboardCode != code))
            {
                failures.Add($"{what}: {Shorten(message ?? "")}{(client == "npm" ? $" (dashboard code {dashboardCode ?? "none"})" : "")}");
            }
        }

        // The .NET client, one connection per role throughout, so that the rows change only by what is invoked. The rows
        // are counted around each method's invocations; if one went through or a row changed, each refused one is
        // invoked again alone between two counts to find the one that changed a row.
        var connections = new Dictionary<string, HubConnection>();
        async Task<string?> InvokeAsync(HubCase c, string role)
        {
            var connection = connections[role];
            if (connection.State != HubConnectionState.Connected)
            {
                await connection.StartAsync();
            }

            try
            {
                await connection.InvokeCoreAsync<object?>(c.Method, c.Args);
                return null;
            }
            catch (Exception e)
            {
                return e is HubException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            }
        }

        try
        {
            foreach (var (role, token) in tokens)
            {
                connections[role] = new HubConnectionBuilder()
                    .WithUrl(new Uri(new Uri(app.BaseAddress), SwitchboardHub.Path.TrimStart('/')), o =>
                    {
                        o.Transports = HttpTransportType.WebSockets;
                        o.SkipNegotiation = true;
                        o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    })
                    .Build();
                await connections[role].StartAsync();
            }

            await Task.Delay(300); // An operator's connection is registered as it opens.
            foreach (var method in methods)
            {
                string[] roles = method.GetCustomAttribute<HubPolicyAttribute>()!.Policy switch
                {
                    Policies.Operators => [Roles.Operator],
                    Policies.Managers => [Roles.Manager, Roles.Administrator],
                    _ => [.. tokens.Keys],
                };

                // An operator's method gets a call the operator has, so that what is wrong is the value, not the call.
                var callId = roles[0] == Roles.Operator ? await CallOfTheOperatorAsync(connections[Roles.Operator], telephony) : Guid.NewGuid();
                var group = HubCases(random, method, callId).Select(c => (Case: c, Role: roles[random.Next(roles.Length)])).ToList();
                group.Add((new HubCase("an unknown method", "NoSuch" + method.Name, [], true), roles[0]));
                cases.AddRange(group);
                var before = await RowCountsAsync();
                var refused = new List<(HubCase Case, string Role)>();
                var accepted = false;
                foreach (var (c, role) in group)
                {
                    var message = await InvokeAsync(c, role);
                    Check(".NET", c, role, message is null, message, null);
                    if (message is null)
                    {
                        accepted = true;
                    }
                    else
                    {
                        refused.Add((c, role));
                    }
                }

                if (!accepted && Changed(before, await RowCountsAsync()) is null)
                {
                    continue;
                }

                await QuietAsync();
                foreach (var (c, role) in refused)
                {
                    var alone = await RowCountsAsync();
                    var message = await InvokeAsync(c, role);
                    if (message is not null && Changed(alone, await RowCountsAsync()) is { } changed)
                    {
                        failures.Add($".NET: {c.Method} as {role}, {c.Label}: refused but changed {changed}");
                    }
                    else if (message is null)
                    {
                        await QuietAsync();
                    }
                }
            }
        }
        finally
        {
            foreach (var connection in connections.Values)
            {
                await connection.DisposeAsync();
            }
        }

        // The npm client the dashboard uses, every invocation in one run of Node.
        var outcomes = await NpmHubClient.InvokeAsync(app.BaseAddress,
            cases.Select((c, i) => new NpmHubClient.Invocation(i.ToString(CultureInfo.InvariantCulture), tokens[c.Role], c.Case.Method, c.Case.Args)).ToList());
        foreach (var (outcome, (c, role)) in outcomes.Zip(cases))
        {
            Check("npm", c, role, outcome.Ok, outcome.Message, outcome.DashboardCode);
        }

        output.WriteLine($"seed {Seed}: {cases.Count} invocations over {methods.Count} hub methods with each client, {failures.Count} failures; " +
                         "refusals: " + string.Join(", ", codes.Select(x => $"{x.Key} ×{x.Value}")));
        Assert.True(failures.Count == 0,
            $"Fuzz seed {Seed} (replay: {SeedVariable}={Seed}): {failures.Count} of {2 * cases.Count} hub invocations failed:\n" + string.Join("\n", failures.Take(40)));
    }

    private sealed record HubCase(string Label, string Method, object?[] Args, bool Strict);

    // SignalR closes a connection whose message exceeds 32 KB (MaximumReceiveMessageSize): long texts stay below it.
    private static readonly string Long = new('é', 10_000);

    /// <summary>The call the operator has, or a new call from the platform that the operator picks from the queue.</summary>
    private static async Task<Guid> CallOfTheOperatorAsync(HubConnection connection, HttpClient telephony)
    {
        if ((await connection.InvokeAsync<OperatorSync>("Resync")).CurrentCall is { State: CallStates.Connected } current)
        {
            return current.Id;
        }

        var response = await telephony.PostAsync("/api/telephony/calls", Json(
            $$"""{"platformCallId":"fuzz-{{Guid.NewGuid():N}}","callerNumber":"+46701234567","dialledNumber":"+4690161000"}"""));
        var callId = Guid.Parse(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("callId").GetString()!);
        await connection.InvokeAsync<CallView>("AcceptCall", callId);
        return callId;
    }

    private static List<HubCase> HubCases(Random random, MethodInfo method, Guid callId)
    {
        var parameters = method.GetParameters().Where(p => FromClient(p.ParameterType)).ToList();
        var name = method.Name;
        var cases = new List<HubCase>();
        var baseline = parameters.Select(p => Sample(p.ParameterType, p.Name!, callId)).ToArray();
        cases.Add(new HubCase("one argument too many", name, [.. baseline, 42], true));
        if (parameters.Count > 0)
        {
            cases.Add(new HubCase("no arguments", name, [], true));
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            var type = parameters[i].ParameterType;
            var pool = HubPool(type);
            foreach (var bad in Pick(random, pool, 6))
            {
                var args = (object?[])baseline.Clone();
                args[i] = bad.Value;
                cases.Add(new HubCase($"{parameters[i].Name} = {bad.Label}", name, args, bad.Strict));
            }

            if (type.IsClass && type != typeof(string))
            {
                foreach (var property in type.GetProperties())
                {
                    var field = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
                    foreach (var bad in Pick(random, HubPool(property.PropertyType), 3))
                    {
                        var args = (object?[])baseline.Clone();
                        var changed = JsonSerializer.SerializeToNode(baseline[i], JsonSerializerOptions.Web)!.AsObject();
                        changed[field] = bad.Value?.DeepClone();
                        args[i] = changed;
                        cases.Add(new HubCase($"{field} = {bad.Label}", name, args, bad.Strict));
                    }
                }
            }
        }

        return cases;
    }

    private static bool FromClient(Type type) => type == typeof(Guid) || type == typeof(string) || type.Assembly == typeof(HubErrors).Assembly;

    /// <summary>Wrong values for a hub argument or field of this type: every one must be refused with a code, unless not Strict.</summary>
    private static List<Bad> HubPool(Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null || (!type.IsValueType && type != typeof(string));
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(Guid))
        {
            return [new("not-a-guid", "not-a-guid", true), new("a number", 42, true), new("true", true, true), new("an object", new JsonObject(), true),
                new("an array", new JsonArray(), true), new("empty", "", true), new("NUL", "a\0b", true), new("null", null, !nullable),
                new("10 000 characters", Long, true), new("1.5", 1.5, true), new("a random id", Guid.NewGuid().ToString(), true)];
        }

        if (type == typeof(DateTimeOffset))
        {
            return [new("garbage date", "garbage", true), new("a number", 42, true), new("0001-01-01", "0001-01-01T00:00:00Z", true),
                new("9999-12-31", "9999-12-31T23:59:59Z", true), new("before year 1 in UTC", "0001-01-01T00:00:00+14:00", true),
                new("30 February", "2026-02-30T10:00:00Z", true), new("NUL", "a\0b", true)];
        }

        if (type == typeof(bool))
        {
            return [new("\"yes\"", "yes", true), new("1", 1, true), new("an object", new JsonObject(), true)];
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return [new("\"abc\"", "abc", true), new("overflow", JsonNode.Parse("9223372036854775808"), true), new("1.5", 1.5, true)];
        }

        if (type == typeof(string))
        {
            return [new("a number", 42, true), new("true", true, true), new("an object", new JsonObject(), true), new("an array", new JsonArray(), true),
                new("NUL", "a\0b", true), new("only NUL", "\0", true), new("empty", "", false), new("spaces", "   ", false),
                new("CR LF", "a\r\nBcc: x@example.com", false), new("a right-to-left override", "\u202Etxt", false), new("10 000 characters", Long, false),
                new("null", null, false)];
        }

        // A request object.
        return [new("a number", 42, true), new("a string", "text", true), new("an array", new JsonArray(), true), new("true", true, true),
            new("null", null, true), new("an empty object", new JsonObject(), true)];
    }

    /// <summary>A plausible argument: it names a call that does not exist, so even a well-formed one is refused (not-found).</summary>
    private static object? Sample(Type type, string name, Guid callId)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(Guid))
        {
            return callId;
        }

        if (type == typeof(string))
        {
            return name switch
            {
                "status" => "paused",
                "mode" => "blind",
                "kind" => "number",
                "recipientKind" => "unit",
                "municipalityCode" => "2480",
                "number" or "callerNumber" or "contactNumber" => "+46701234567",
                "recipientEmail" => "fuzz@example.com",
                _ => "fuzz",
            };
        }

        if (type == typeof(DateTimeOffset))
        {
            return DateTimeOffset.UtcNow.AddHours(name.EndsWith("End", StringComparison.Ordinal) ? 2 : 1);
        }

        if (type == typeof(bool))
        {
            return false;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return 1;
        }

        var node = new JsonObject();
        foreach (var property in type.GetProperties())
        {
            var field = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            node[field] = JsonSerializer.SerializeToNode(Sample(property.PropertyType, field, callId), JsonSerializerOptions.Web);
        }

        return node;
    }

    // ------------------------------------------------------------------------------------------------ row counts

    private string? _countAll;

    /// <summary>The number of rows of every table of the app's schema.</summary>
    private async Task<Dictionary<string, long>> RowCountsAsync()
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        if (_countAll is null)
        {
            var tables = new List<string>();
            await using var list = new NpgsqlCommand("select tablename from pg_tables where schemaname = 'public' order by tablename", connection);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }

            _countAll = string.Join(" union all ", tables.Select(t => $"select '{t}', count(*) from \"{t}\""));
        }

        var counts = new Dictionary<string, long>();
        await using var count = new NpgsqlCommand(_countAll, connection);
        await using var rows = await count.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            counts[rows.GetString(0)] = rows.GetInt64(1);
        }

        return counts;
    }

    /// <summary>
    /// Waits until no row count changes over one statistics flush (Statistics:FlushInterval, 2 s): a call ended by a
    /// change that went through is made into statistics rows in the background, by the flush, a little later.
    /// </summary>
    private async Task QuietAsync()
    {
        // Nothing due for the flush (ended calls note themselves in call_facts_due, new facts in call_facts_pending):
        // nothing will change by itself.
        static bool Idle(Dictionary<string, long> c) => c.GetValueOrDefault("call_facts_due") == 0 && c.GetValueOrDefault("call_facts_pending") == 0;
        var counts = await RowCountsAsync();
        for (var i = 0; i < 50 && !Idle(counts); i++)
        {
            await Task.Delay(200);
            counts = await RowCountsAsync();
        }

        if (Idle(counts))
        {
            return;
        }

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var now = await RowCountsAsync();
            if (Changed(counts, now) is null)
            {
                return;
            }

            counts = now;
        }
    }

    private static string? Changed(Dictionary<string, long> before, Dictionary<string, long> after, string? path = null)
    {
        // A refused sign-in is the one refusal recorded by design: the access log keeps every failed login.
        var changed = after.Where(a => !(path == "/api/auth/login" && a.Key == "access_log"))
            .Where(a => !before.TryGetValue(a.Key, out var b) || b != a.Value)
            .Select(a => $"{a.Key} {before.GetValueOrDefault(a.Key)} → {a.Value}").ToList();
        return changed.Count == 0 ? null : string.Join(", ", changed);
    }
}
