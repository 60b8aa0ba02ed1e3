namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

public sealed class UnitHoursEditingTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task EditorSetsTheHoursOfTheirOwnMunicipalitysUnit()
    {
        var unitId = await NewUnitAsync(app, "2480");
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await PutHoursAsync(editor, unitId, 0, Office());

        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        var stored = await GetJsonAsync(await app.ClientForAsync(Roles.Operator), $"/api/opening-hours/units/{unitId}");
        Assert.Equal(1, stored.GetProperty("version").GetInt32());
        Assert.Equal("13:00", stored.GetProperty("weekly").GetProperty("friday")[1].GetProperty("start").GetString());
        Assert.Equal("closeEarly", stored.GetProperty("holidays").GetProperty("dayBeforeHoliday").GetProperty("kind").GetString());
        Assert.Equal("on-call", stored.GetProperty("whenClosed").GetProperty("kind").GetString());
        Assert.Equal("+4690161000", stored.GetProperty("whenClosed").GetProperty("phone").GetString()); // as the directory stores it
    }

    [Fact]
    public async Task EditorOfAnotherMunicipalityIsRefusedAndNothingChanges()
    {
        var unitId = await UnitWithHoursAsync(app, "2460", Office());
        var other = await app.ClientForAsync(Roles.Editor, "2480");
        var operatorClient = await app.ClientForAsync(Roles.Operator);
        var before = await GetJsonAsync(operatorClient, $"/api/opening-hours/units/{unitId}");

        var change = await PutHoursAsync(other, unitId, 1, new { weekly = EveryDay([new { start = "00:00", end = "00:00" }]), exceptions = Array.Empty<object>() });
        var review = await other.PostAsync($"/api/opening-hours/units/{unitId}/review", null);
        var byOperator = await PutHoursAsync(operatorClient, unitId, 1, Office());

        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, review.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        var after = await GetJsonAsync(operatorClient, $"/api/opening-hours/units/{unitId}");
        Assert.Equal(before.ToString(), after.ToString());
    }

    [Fact]
    public async Task AdministratorMayChangeAnyMunicipalitysHours()
    {
        var unitId = await UnitWithHoursAsync(app, "2403", Office());
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await PutHoursAsync(admin, unitId, 1, Office([new { from = "2026-07-01", to = "2026-07-31", closed = true, hours = Array.Empty<object>(), reason = "Semesterstängt" }]));

        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal(2, (await ReadAsync<JsonElement>(response)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task AChangeBasedOnAStaleVersionIsRefusedWith409SayingWhoChangedIt()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());
        var first = await app.ClientForAsync(Roles.Editor, "2480");
        var second = await app.ClientForAsync(Roles.Editor, "2480");
        await EnsureAsync(await PutHoursAsync(first, unitId, 1, Office(holidayOverride: new { julafton = new { kind = "normal" } })), HttpStatusCode.OK);

        var stale = await PutHoursAsync(second, unitId, 1, Office());
        var createAgain = await PutHoursAsync(second, unitId, 0, Office());

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await ProblemAsync(stale);
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt32());
        Assert.StartsWith("Test editor", problem.GetProperty("changedBy").GetString());
        Assert.Contains("Nothing was saved", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, createAgain.StatusCode);
        var stored = await GetJsonAsync(second, $"/api/opening-hours/units/{unitId}");
        Assert.Equal("normal", stored.GetProperty("holidayOverride").GetProperty("julafton").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AChangeWithoutAVersionIsRefusedWith428()
    {
        var unitId = await NewUnitAsync(app, "2480");
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await SendAsync(editor, HttpMethod.Put, $"/api/opening-hours/units/{unitId}", null, Office());

        Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
        Assert.Equal(["If-Match"], await ErrorFieldsAsync(response));
    }

    [Theory]
    [InlineData("overlap", "weekly.monday[1]")]
    [InlineData("bad-time", "weekly.monday[0].start")]
    [InlineData("reversed-exception", "exceptions[0].to")]
    [InlineData("close-early-without-time", "holidayOverride.dayBeforeHoliday.at")]
    [InlineData("unknown-weekday", "exceptions[0].weekdays")]
    [InlineData("no-weekly", "weekly")]
    public async Task InvalidRulesAreRefusedWith400NamingTheFieldAndNothingIsStored(string mistake, string field)
    {
        var unitId = await NewUnitAsync(app, "2480");
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        object[] none = [];
        object body = mistake switch
        {
            "overlap" => new { weekly = Weekdays([new { start = "08:00", end = "12:00" }, new { start = "11:00", end = "16:00" }]), exceptions = none },
            "bad-time" => new { weekly = Weekdays([new { start = "25:00", end = "12:00" }]), exceptions = none },
            "reversed-exception" => Office([new { from = "2026-08-14", to = "2026-06-15", closed = true, hours = none, reason = "Sommar" }]),
            "close-early-without-time" => Office(holidayOverride: new { dayBeforeHoliday = new { kind = "closeEarly" } }),
            "unknown-weekday" => Office([new { from = "2026-06-15", to = "2026-08-14", closed = true, hours = none, reason = "Sommar", weekdays = new[] { "moonday" } }]),
            _ => new { exceptions = none },
        };

        var response = await PutHoursAsync(editor, unitId, 0, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await ErrorFieldsAsync(response));
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync($"/api/opening-hours/units/{unitId}")).StatusCode);
        Assert.Empty((await GetJsonAsync(editor, $"/api/opening-hours/units/{unitId}/history")).EnumerateArray());
    }

    [Fact]
    public async Task HistoryRecordsWhoChangedTheHoursAndHow()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var summer = new { from = "2026-06-15", to = "2026-08-14", closed = false, hours = new[] { new { start = "08:00", end = "15:00" } }, reason = "Sommartider" };
        await EnsureAsync(await PutHoursAsync(editor, unitId, 1, Office([summer])), HttpStatusCode.OK);
        await EnsureAsync(await editor.PostAsync($"/api/opening-hours/units/{unitId}/review", null), HttpStatusCode.OK);

        var history = (await GetJsonAsync(await app.ClientForAsync(Roles.Operator), $"/api/opening-hours/units/{unitId}/history")).EnumerateArray().ToList();

        Assert.Equal(["created", "updated", "reviewed"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.All(history, h => Assert.StartsWith("Test editor", h.GetProperty("actorName").GetString()));
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("before").ValueKind);
        Assert.Empty(history[1].GetProperty("before").GetProperty("exceptions").EnumerateArray());
        Assert.Equal("Sommartider", history[1].GetProperty("after").GetProperty("exceptions")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task HoursOfAnUnknownUnitAreNotFound()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        Assert.Equal(HttpStatusCode.NotFound, (await PutHoursAsync(editor, Guid.NewGuid(), 0, Office())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync($"/api/opening-hours/units/{Guid.NewGuid()}/status")).StatusCode);
    }

    [Fact]
    public async Task OnlyAdministratorsSetTheSwitchboardsHours()
    {
        var rules = new
        {
            weekly = Weekdays([new { start = "07:30", end = "17:00" }]),
            exceptions = Array.Empty<object>(),
            holidays = new { dayBeforeHoliday = new { kind = "closeEarly", at = "15:00" } },
            whenClosed = new { kind = "message", text = "Växeln är stängd." },
        };
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var admin = await app.ClientForAsync(Roles.Administrator);
        var current = await admin.GetAsync("/api/opening-hours/switchboard");
        var version = current.StatusCode == HttpStatusCode.OK ? (await ReadAsync<JsonElement>(current)).GetProperty("version").GetInt32() : 0;

        var refused = await SendAsync(editor, HttpMethod.Put, "/api/opening-hours/switchboard", version, rules);
        var accepted = await SendAsync(admin, HttpMethod.Put, "/api/opening-hours/switchboard", version, rules);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await EnsureAsync(accepted, HttpStatusCode.OK);
        var status = await GetJsonAsync(editor, "/api/opening-hours/switchboard/status?at=" + Uri.EscapeDataString("2026-03-11T16:50:00+01:00"));
        Assert.Equal("open", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("closesSoon").GetBoolean());
        var closed = await GetJsonAsync(editor, "/api/opening-hours/switchboard/status?at=" + Uri.EscapeDataString("2026-03-11T17:00:00+01:00"));
        Assert.Equal("Växeln är stängd.", closed.GetProperty("whenClosed").GetProperty("text").GetString());
    }

    [Fact]
    public async Task InvalidSwitchboardHoursAreRefusedNamingTheField()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var rules = new
        {
            weekly = Weekdays([new { start = "07:30", end = "17:00" }]),
            exceptions = Array.Empty<object>(),
            holidays = new { },
            whenClosed = new { kind = "on-call" },
        };

        var response = await SendAsync(admin, HttpMethod.Put, "/api/opening-hours/switchboard", 0, rules);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["whenClosed.phone"], await ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task RemovingAUnitFromTheDirectoryRemovesItsHours()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var version = (await GetJsonAsync(editor, $"/api/directory/units/{unitId}")).GetProperty("version").GetInt32();

        var response = await SendAsync(editor, HttpMethod.Delete, $"/api/directory/units/{unitId}", version);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync($"/api/opening-hours/units/{unitId}")).StatusCode);
    }
}
