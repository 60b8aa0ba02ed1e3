namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class DirectoryFreshnessTests(DirectoryFreshnessTests.App app) : IClassFixture<DirectoryFreshnessTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Directory:ReviewPeriod"] = "30.00:00:00",
        };
    }

    /// <summary>
    /// Time passing for one entry: its last review moves back by some days. (A shared fake clock would
    /// also age the tokens the tests sign in with.)
    /// </summary>
    private async Task AgeAsync(string table, Guid id, int days)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"update {table} set reviewed_at = reviewed_at - make_interval(days => @days) where id = @id", conn);
        cmd.Parameters.AddWithValue("days", days);
        cmd.Parameters.AddWithValue("id", id);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task EntriesNotReviewedWithinThePeriodAreListedUntilReviewed()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2404");
        var stale = await CreateUnitAsync(editor, "2404", Unique("Bibliotek"));
        var stalePerson = await CreatePersonAsync(editor, stale.Id, Unique("Klara Åström"));
        var fresh = await CreateUnitAsync(editor, "2404", Unique("Fritid"));
        await AgeAsync("directory_units", stale.Id, 31);
        await AgeAsync("directory_people", stalePerson.Id, 31);
        await AgeAsync("directory_units", fresh.Id, 29);

        var overdue = (await editor.GetFromJsonAsync<OverdueEntry[]>("/api/directory/overdue", Json))!;

        Assert.Contains(overdue, e => e.Id == stale.Id && e.Kind == "unit");
        Assert.Contains(overdue, e => e.Id == stalePerson.Id && e.Kind == "person");
        Assert.DoesNotContain(overdue, e => e.Id == fresh.Id);

        var review = await editor.PostAsync($"/api/directory/units/{stale.Id}/review", null);

        Assert.Equal(HttpStatusCode.NoContent, review.StatusCode);
        var after = (await editor.GetFromJsonAsync<OverdueEntry[]>("/api/directory/overdue", Json))!;
        Assert.DoesNotContain(after, e => e.Id == stale.Id);
        Assert.Contains(after, e => e.Id == stalePerson.Id);
        var history = (await editor.GetFromJsonAsync<AuditEntry[]>($"/api/directory/units/{stale.Id}/history", Json))!;
        Assert.Equal("reviewed", history[^1].Action);
        var reread = (await editor.GetFromJsonAsync<Unit>($"/api/directory/units/{stale.Id}", Json))!;
        Assert.True(reread.ReviewedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(stale.Version, reread.Version);
    }

    [Fact]
    public async Task EditorsSeeTheirOwnMunicipalitysOverdueEntriesAndAdministratorsFilter()
    {
        var umea = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2480"), "2480", Unique("Umeå"));
        var bjurholm = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2403"), "2403", Unique("Bjurholm"));
        await AgeAsync("directory_units", umea.Id, 31);
        await AgeAsync("directory_units", bjurholm.Id, 31);
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var admin = await app.ClientForAsync(Roles.Administrator);

        var own = (await editor.GetFromJsonAsync<OverdueEntry[]>("/api/directory/overdue", Json))!;
        var foreign = await editor.GetAsync("/api/directory/overdue?municipality=2403");
        var adminFiltered = (await admin.GetFromJsonAsync<OverdueEntry[]>("/api/directory/overdue?municipality=2403", Json))!;

        Assert.Contains(own, e => e.Id == umea.Id);
        Assert.All(own, e => Assert.Equal("2480", e.MunicipalityCode));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains(adminFiltered, e => e.Id == bjurholm.Id);
        Assert.All(adminFiltered, e => Assert.Equal("2403", e.MunicipalityCode));
    }

    [Fact]
    public async Task EditorCannotReviewAnotherMunicipalitysEntry()
    {
        var unit = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2401"), "2401", Unique("Nordmaling"));
        var other = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await other.PostAsync($"/api/directory/units/{unit.Id}/review", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var history = (await other.GetFromJsonAsync<AuditEntry[]>($"/api/directory/units/{unit.Id}/history", Json))!;
        Assert.DoesNotContain(history, h => h.Action == "reviewed");
    }
}
