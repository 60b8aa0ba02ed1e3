using Microsoft.AspNetCore.Hosting;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>Bad input is a 400 naming the field (issue 24), never a 500, and changes nothing.</summary>
public sealed class BadInputTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts a 400 problem whose errors name the field, and returns the message for it.</summary>
    internal static async Task<string> AssertNamesFieldAsync(HttpResponseMessage response, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}' in {body}");
        var message = messages[0].GetString()!;
        Assert.Contains(field, message, StringComparison.OrdinalIgnoreCase);
        return message;
    }

    [Theory]
    [InlineData("""{"municipalityCode":"2480","name":""", "name")]
    [InlineData("""{"municipalityCode":"2480","name":5}""", "name")]
    [InlineData("""{"municipalityCode":"2480","name":"x","parentId":"not-a-guid"}""", "parentId")]
    [InlineData("""{"municipalityCode":"2480","name":"x","topics":"bygglov"}""", "topics")]
    [InlineData("""{"municipalityCode":"2480","name":"Bad\u0000name"}""", "name")]
    [InlineData("""{"municipalityCode":"2480","name":"x","topics":["ok","b\u0000d"]}""", "topics[1]")]
    [InlineData("", "body")]
    [InlineData("null", "body")]
    public async Task BadJsonForAUnitIsA400NamingTheFieldAndStoresNothing(string json, string field)
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var before = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json);

        var response = await editor.PostAsync("/api/directory/units", JsonBody(json));

        await AssertNamesFieldAsync(response, field);
        var after = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json);
        Assert.Equal(before!.Length, after!.Length);
    }

    [Theory]
    [InlineData("""{"platformCallId":"c-1","callerNumber":"+46701234567","dialledNumber":"+4690161000","priority":99999999999}""", "priority")]
    [InlineData("""{"platformCallId":"c\u0000-1","callerNumber":"+46701234567","dialledNumber":"+4690161000"}""", "platformCallId")]
    [InlineData("""{"platformCallId":"c-2","callerNumber":"+46701234567","dialledNumber":"+4690161000","menuTopic":"vat\u0000ten"}""", "menuTopic")]
    public async Task BadCallReportsAreA400NotA500SoThePlatformStopsRetrying(string json, string field)
    {
        var platform = await app.TelephonyClientAsync();

        var response = await platform.PostAsync("/api/telephony/calls", JsonBody(json));

        var message = await AssertNamesFieldAsync(response, field);
        if (field == "priority")
        {
            Assert.True(message.Contains("whole number", StringComparison.Ordinal), message);
        }
    }

    [Fact]
    public async Task ANulInTheLoginUserNameIsA400()
    {
        var response = await app.CreateClient().PostAsync("/api/auth/login", JsonBody("""{"username":"adm\u0000in","password":"x"}"""));

        await AssertNamesFieldAsync(response, "username");
    }

    [Theory]
    [InlineData("/api/directory/search?q=bygg%00lov", "q")]
    [InlineData("/api/directory/units?municipality=24%0080", "municipality")]
    [InlineData("/api/directory/search?q=bygglov&limit=abc", "limit")]
    [InlineData("/api/directory/search?q=bygglov&limit=99999999999", "limit")]
    [InlineData("/api/directory/units?parent=not-a-guid", "parent")]
    public async Task BadQueryValuesAreA400NamingTheParameter(string url, string field)
    {
        var operatorClient = await app.ClientForAsync(Roles.Operator, "2480");

        await AssertNamesFieldAsync(await operatorClient.GetAsync(url), field);
    }

    [Theory]
    [InlineData("/api/directory/units/not-a-guid/history")]
    [InlineData("/api/directory/people/-1/history")]
    [InlineData("/api/directory/municipalities/24800/history")]
    public async Task TheHistoryOfAnIdThatCannotNameAnEntryIsA400NotAnEmptyList(string url)
    {
        var operatorClient = await app.ClientForAsync(Roles.Operator, "2480");

        // Found by FuzzTests: answered 200 with an empty history.
        await AssertNamesFieldAsync(await operatorClient.GetAsync(url), "id");
    }

    [Fact]
    public async Task ANumberQueryParameterOfThePlatformThatIsNotANumberIsA400()
    {
        var platform = await app.TelephonyClientAsync();

        await AssertNamesFieldAsync(await platform.GetAsync("/api/telephony/instructions?limit=abc"), "limit");
    }

    [Theory]
    [InlineData("0001-01-01", "2026-01-31", "from")]
    [InlineData("2026-01-01", "9999-12-31", "to")]
    public async Task StatisticsForDatesOutsideTheAllowedRangeAreA400SayingTheRange(string from, string to, string field)
    {
        var manager = await app.ClientForAsync(Roles.Manager);

        foreach (var path in new[] { "summary", "cost-split" })
        {
            var message = await AssertNamesFieldAsync(await manager.GetAsync($"/api/statistics/{path}?from={from}&to={to}"), field);
            Assert.Contains("2000-01-01", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ABrokenMultipartImportIsA400AndImportsNothing()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var before = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ntype;name\r\nunit;Cut"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", content);

        await AssertNamesFieldAsync(response, "file");
        var after = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json);
        Assert.Equal(before!.Length, after!.Length);
    }

    [Fact]
    public async Task ANulInACsvCellIsRefusedNamingRowAndColumnAndImportsNothing()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var name = Unique("Nul unit");
        var csv = $"type;key;name\r\nunit;{Unique("k")};{name}\r\nunit;{Unique("k")};Bad\0name\r\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var row = Assert.Single((await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!);
        Assert.Equal((3, "name"), (row.Row, row.Field));
        var units = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json);
        Assert.DoesNotContain(units!, u => u.Name == name);
    }
}

/// <summary>Under scripts/run.sh (Development) a binding failure went to the developer exception page as a 500.</summary>
public sealed class DevelopmentApp : SwitchboardApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
    }
}

public sealed class BadInputInDevelopmentTests(DevelopmentApp app) : IClassFixture<DevelopmentApp>
{
    [Theory]
    [InlineData("""{"municipalityCode":"2480","name":5}""", "name")]
    [InlineData("""{"municipalityCode":"2480","name":""", "name")]
    [InlineData("", "body")]
    public async Task BindingFailuresAreA400NamingTheFieldInDevelopmentToo(string json, string field)
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/units", new StringContent(json, Encoding.UTF8, "application/json"));

        await BadInputTests.AssertNamesFieldAsync(response, field);
    }

    [Fact]
    public async Task AQueryValueThatIsNotANumberIsA400InDevelopmentToo()
    {
        var operatorClient = await app.ClientForAsync(Roles.Operator, "2480");

        await BadInputTests.AssertNamesFieldAsync(await operatorClient.GetAsync("/api/directory/search?q=x&limit=abc"), "limit");
    }
}
