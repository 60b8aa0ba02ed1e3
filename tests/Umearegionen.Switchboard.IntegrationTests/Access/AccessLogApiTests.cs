using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class AccessLogApiTests(AccessLogApiTests.App app) : IClassFixture<AccessLogApiTests.App>
{
    public sealed class App : SwitchboardApp;

    private static readonly AccessActor Admin = new("a-1", "Anna Admin", Roles.Administrator);

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Manager)]
    public async Task OnlyAdministratorsReadTheAccessLog(string role)
    {
        var client = await app.ClientForAsync(role);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/access-log")).StatusCode);
    }

    [Fact]
    public async Task EditorCannotReadTheAccessLog()
    {
        var client = await app.ClientForAsync(Roles.Editor, "2480");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/access-log")).StatusCode);
    }

    [Fact]
    public async Task SearchedNumberIsFoundByAnyWrittenFormWithoutTheLogHoldingIt()
    {
        var log = app.Service<AccessLog>();
        var hash = await log.HashSubjectAsync("+46701234561", CancellationToken.None);
        await log.RecordAsync(Admin, new AccessLogRecord(AccessActions.RegisterExtract, "phone_number", SubjectHash: hash, RecordCount: 4),
            CancellationToken.None);
        await log.RecordAsync(Admin, new AccessLogRecord(AccessActions.RegisterExtract, "phone_number",
            SubjectHash: await log.HashSubjectAsync("+46709999999", CancellationToken.None)), CancellationToken.None);
        var client = await app.ClientForAsync(Roles.Administrator);

        var body = await client.GetStringAsync("/api/access-log?number=070-123%2045%2061");

        var entries = JsonSerializer.Deserialize<JsonElement>(body).EnumerateArray().ToList();
        var entry = Assert.Single(entries);
        Assert.Equal("register_extract", entry.GetProperty("action").GetString());
        Assert.True(entry.GetProperty("subjectSearched").GetBoolean());
        Assert.Equal(4, entry.GetProperty("recordCount").GetInt32());
        Assert.DoesNotContain(hash, body, StringComparison.Ordinal);
        Assert.DoesNotContain("1234561", body, StringComparison.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString);
        var stored = await Dapper.SqlMapper.QueryAsync<string>(connection, "select access_log::text from access_log");
        Assert.DoesNotContain(stored, row => row.Contains("1234561", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PagesGoBackwardsFromTheGivenEntry()
    {
        var log = app.Service<AccessLog>();
        for (var i = 0; i < 3; i++)
        {
            await log.RecordAsync(Admin, new AccessLogRecord(AccessActions.AccountUnlocked, "account", TargetId: $"paging-{i}"),
                CancellationToken.None);
        }

        var client = await app.ClientForAsync(Roles.Administrator);

        var first = await client.GetFromJsonAsync<List<AccessLogEntry>>("/api/access-log?action=account_unlocked&limit=2");
        var second = await client.GetFromJsonAsync<List<AccessLogEntry>>($"/api/access-log?action=account_unlocked&limit=2&before={first![^1].Id}");

        Assert.Equal(["paging-2", "paging-1"], first.Select(e => e.TargetId));
        Assert.Equal(["paging-0"], second!.Select(e => e.TargetId));
    }

    [Theory]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=99999999999", "limit")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=0001-01-01", "to")]
    [InlineData("before=-1", "before")]
    [InlineData("number=hello", "number")]
    [InlineData("number=0701234567&name=Anna", "number")]
    [InlineData("name=%20", "name")]
    public async Task BadFilterIsAValidationProblemNamingTheField(string query, string field)
    {
        var client = await app.ClientForAsync(Roles.Administrator);

        var response = await client.GetAsync($"/api/access-log?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
    }
}
