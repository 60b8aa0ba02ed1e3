namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class MunicipalitiesTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private async Task<Municipality> GetAsync(HttpClient client, string code) =>
        (await client.GetFromJsonAsync<Municipality>($"/api/directory/municipalities/{code}", Json))!;

    [Fact]
    public async Task StaffReadAllSevenMembersWithTheServedFlag()
    {
        var client = await app.ClientForAsync(Roles.Operator);

        var all = (await client.GetFromJsonAsync<Municipality[]>("/api/directory/municipalities", Json))!;

        Assert.Equal(7, all.Length);
        Assert.False(all.Single(m => m.Code == "2284").ServedBySwitchboard);
        Assert.Equal(6, all.Count(m => m.ServedBySwitchboard));
    }

    [Fact]
    public async Task EditorChangesOwnMainNumberButNotWhetherItIsServedOrAnotherMunicipality()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var before = await GetAsync(editor, "2409");

        var own = await SendAsync(editor, HttpMethod.Patch, "/api/directory/municipalities/2409", before.Version, new { mainNumber = "0934-140 01" });
        var served = await SendAsync(editor, HttpMethod.Patch, "/api/directory/municipalities/2409", before.Version + 1, new { servedBySwitchboard = false });
        var other = await SendAsync(editor, HttpMethod.Patch, "/api/directory/municipalities/2404",
            (await GetAsync(editor, "2404")).Version, new { mainNumber = "0933-140 01" });

        await EnsureAsync(own, HttpStatusCode.OK);
        Assert.Equal("+4693414001", (await ReadAsync<Municipality>(own)).MainNumber);
        Assert.Equal(HttpStatusCode.Forbidden, served.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.True((await GetAsync(editor, "2409")).ServedBySwitchboard);
        Assert.Equal("+4693314000", (await GetAsync(editor, "2404")).MainNumber);
    }

    [Fact]
    public async Task AdministratorChangesServedFlagWithAuditAndConcurrency()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var before = await GetAsync(admin, "2284");

        var change = await SendAsync(admin, HttpMethod.Patch, "/api/directory/municipalities/2284", before.Version,
            new { servedBySwitchboard = true });
        var stale = await SendAsync(admin, HttpMethod.Patch, "/api/directory/municipalities/2284", before.Version, new { mainNumber = "0660-880 00" });
        var undo = await SendAsync(admin, HttpMethod.Patch, "/api/directory/municipalities/2284", before.Version + 1,
            new { servedBySwitchboard = false });

        await EnsureAsync(change, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        await EnsureAsync(undo, HttpStatusCode.OK);
        var history = (await admin.GetFromJsonAsync<AuditEntry[]>("/api/directory/municipalities/2284/history", Json))!;
        Assert.Equal(2, history.Length);
        Assert.False(history[0].Before!.Value.GetProperty("servedBySwitchboard").GetBoolean());
        Assert.True(history[0].After!.Value.GetProperty("servedBySwitchboard").GetBoolean());
        Assert.False((await GetAsync(admin, "2284")).ServedBySwitchboard);
    }

    [Fact]
    public async Task APopulationSentWithTheMunicipalityIsRefusedAndPointsToTheYearlyFigures()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var before = await GetAsync(admin, "2403");

        var response = await SendAsync(admin, HttpMethod.Patch, "/api/directory/municipalities/2403", before.Version,
            new { population = 2500, servedBySwitchboard = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("PUT /api/directory/populations/{year}", problem, StringComparison.Ordinal);
        Assert.Equal(before.Version, (await GetAsync(admin, "2403")).Version);
    }

    [Fact]
    public async Task BadMainNumberNamesTheField()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var before = await GetAsync(admin, "2403");

        var response = await SendAsync(admin, HttpMethod.Patch, "/api/directory/municipalities/2403", before.Version,
            new { mainNumber = "ring växeln", population = -5 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equivalent(new[] { "mainNumber", "population" }, await ErrorFieldsAsync(response), strict: true);
    }
}
