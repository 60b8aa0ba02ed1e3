namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>Small helpers for calling the directory API the way a client does.</summary>
public static class DirectoryApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    public static object UnitBody(string municipality, string name, Guid? parentId = null, string[]? topics = null,
        object[]? eServices = null, object? whenClosed = null, string? phone = "090-16 10 00") => new
    {
        municipalityCode = municipality, parentId, name, level = "unit", phone, email = "info@umea.se",
        visitingAddress = "Skolgatan 31A, Umeå", topics = topics ?? [], eServices = eServices ?? [], whenClosed,
    };

    public static async Task<Unit> CreateUnitAsync(HttpClient client, string municipality, string name, string[]? topics = null, Guid? parentId = null)
    {
        var response = await client.PostAsJsonAsync("/api/directory/units", UnitBody(municipality, name, parentId, topics));
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<Unit>(Json))!;
    }

    public static async Task<Person> CreatePersonAsync(HttpClient client, Guid unitId, string name, string? title = null, object? referral = null)
    {
        var response = await client.PostAsJsonAsync("/api/directory/people", new
        {
            unitId, name, title, phone = "090-16 12 34", email = "person@umea.se", referral,
        });
        await EnsureAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<Person>(Json))!;
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, int? version, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (version is { } v)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return client.SendAsync(request);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<T>(Json))!;

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    public static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"Expected {expected} but got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The field names a validation problem lists.</summary>
    public static async Task<string[]> ErrorFieldsAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAsync(response);
        return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
    }
}
