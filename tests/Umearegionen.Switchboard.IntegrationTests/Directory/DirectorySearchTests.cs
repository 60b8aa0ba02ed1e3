namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>The operators' search, over a small directory built through the API.</summary>
public sealed class DirectorySearchTests(DirectorySearchTests.App app) : IClassFixture<DirectorySearchTests.App>
{
    public sealed class App : SwitchboardApp
    {
        public Unit UmeaBygglov { get; private set; } = null!;
        public Unit VannasGata { get; private set; } = null!;
        public Unit OrnskoldsvikBygglov { get; private set; } = null!;
        public Person AwayPerson { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var admin = await ClientForAsync(Roles.Administrator);
            UmeaBygglov = await CreateUnitAsync(admin, "2480", "Bygglov", ["bygglov", "bygganmälan"]);
            VannasGata = await CreateUnitAsync(admin, "2460", "Gata och trafik", ["snöröjning", "felanmälan gatubelysning"]);
            await CreateUnitAsync(admin, "2403", "Bygg och miljö", ["bygglov", "enskilt avlopp"]);
            // Örnsköldsvik is a member, but the switchboard does not serve it.
            OrnskoldsvikBygglov = await CreateUnitAsync(admin, "2284", "Bygglovsenheten Örnsköldsvik", ["bygglov", "strandskyddsdispens"]);
            var response = await admin.PostAsJsonAsync("/api/directory/units", UnitBody("2480", "Försörjningsstöd",
                eServices: [new { name = "Ansök om ekonomiskt bistånd", url = "https://www.umea.se/ekonomiskt-bistand" }]));
            var social = await ReadAsync<Unit>(response);
            AwayPerson = await CreatePersonAsync(admin, UmeaBygglov.Id, "Kristina Lidström", "Bygglovshandläggare", new
            {
                until = DateTimeOffset.UtcNow.AddDays(3), reason = "Semester", referTo = "Johan Marklund", referToPhone = "090-16 33 33",
            });
            await CreatePersonAsync(admin, social.Id, "Johan Marklund", "Socialsekreterare");
        }
    }

    private async Task<SearchHit[]> SearchAsync(string query, string? municipality = null)
    {
        var client = await app.ClientForAsync(Roles.Operator, "2403");
        var url = $"/api/directory/search?q={Uri.EscapeDataString(query)}" + (municipality is null ? "" : $"&municipality={municipality}");
        var response = await client.GetAsync(url);
        await EnsureAsync(response, HttpStatusCode.OK);
        return await ReadAsync<SearchHit[]>(response);
    }

    [Theory]
    [InlineData("bygglov")]
    [InlineData("BYGGLOV")]
    [InlineData("bygglovet")]
    [InlineData("Bygglof")]
    public async Task FindsBygglovWhateverTheCaseWordFormOrTypo(string query)
    {
        var hits = await SearchAsync(query);

        Assert.Contains(hits, h => h.UnitId == app.UmeaBygglov.Id && h.Kind is "topic" or "unit");
    }

    [Theory]
    [InlineData("snöröjning")]
    [InlineData("snörojning")]
    [InlineData("snorojning")]
    [InlineData("Snöröjningen")]
    public async Task FindsSnorojningWithOrWithoutSwedishLetters(string query)
    {
        var hits = await SearchAsync(query);

        var top = hits.First();
        Assert.Equal(("topic", "snöröjning", app.VannasGata.Id), (top.Kind, top.Title, top.UnitId));
    }

    [Fact]
    public async Task OperatorTypingWithoutDiacriticsFindsVannas()
    {
        var hits = await SearchAsync("gata vannas");

        Assert.Equal(app.VannasGata.Id, hits.First().UnitId);
        Assert.All(hits, h => Assert.Equal("Vännäs", h.MunicipalityName));
    }

    [Fact]
    public async Task FilterByMunicipalityKeepsOnlyItsHits()
    {
        var all = await SearchAsync("bygglov");
        var bjurholm = await SearchAsync("bygglov", "2403");

        Assert.Contains(all, h => h.MunicipalityCode == "2480");
        Assert.NotEmpty(bjurholm);
        Assert.All(bjurholm, h => Assert.Equal("2403", h.MunicipalityCode));
    }

    [Fact]
    public async Task UnservedMunicipalityIsNeverInTheResults()
    {
        var hits = await SearchAsync("bygglov");
        var direct = await SearchAsync("strandskyddsdispens");
        var filtered = await SearchAsync("bygglov", "2284");

        Assert.DoesNotContain(hits, h => h.MunicipalityCode == "2284");
        Assert.Empty(direct);
        Assert.Empty(filtered);
    }

    [Fact]
    public async Task PersonHitCarriesTheirReferralStatus()
    {
        var hits = await SearchAsync("Kristina Lidström");

        var hit = hits.First();
        Assert.Equal(("person", app.AwayPerson.Id), (hit.Kind, hit.Id));
        Assert.Equal("Bygglov", hit.UnitName);
        Assert.Equal("Umeå", hit.MunicipalityName);
        Assert.Equal("Semester", hit.Referral?.Reason);
        Assert.Equal("Johan Marklund", hit.Referral?.ReferTo);
        Assert.Equal("+4690163333", hit.Referral?.ReferToPhone);
    }

    [Fact]
    public async Task PeopleAreFoundByTitleAndNameTypos()
    {
        Assert.Contains(await SearchAsync("bygglovshandläggare"), h => h.Id == app.AwayPerson.Id);
        Assert.Contains(await SearchAsync("kristina lidstrom"), h => h.Id == app.AwayPerson.Id);
        Assert.Contains(await SearchAsync("Kristna Lidström"), h => h.Id == app.AwayPerson.Id);
    }

    [Fact]
    public async Task EServicesAreFoundWithTheirLink()
    {
        var hits = await SearchAsync("ekonomiskt bistånd");

        var hit = Assert.Single(hits, h => h.Kind == "e-service");
        Assert.Equal("https://www.umea.se/ekonomiskt-bistand", hit.Url);
        Assert.Equal("Försörjningsstöd", hit.UnitName);
    }

    [Fact]
    public async Task OpenStatusIsReportedAsUnknownUntilOpeningHoursExist()
    {
        var hits = await SearchAsync("bygglov");

        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.Equal("unknown", h.OpenStatus));
    }

    [Fact]
    public async Task SearchSeesChangesImmediately()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var unit = await CreateUnitAsync(admin, "2409", Unique("Fritid"), ["isbana"]);
        Assert.Contains(await SearchAsync("isbanan"), h => h.UnitId == unit.Id);

        await EnsureAsync(await SendAsync(admin, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2409", unit.Name, topics: ["skidspår"])), HttpStatusCode.OK);

        Assert.DoesNotContain(await SearchAsync("isbana"), h => h.UnitId == unit.Id);
        Assert.Contains(await SearchAsync("skidspår"), h => h.UnitId == unit.Id);
    }

    [Fact]
    public async Task QueryWithoutWordsFindsNothingInsteadOfFailing()
    {
        Assert.Empty(await SearchAsync("!!! & | :*"));
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("bygglov&municipality=24", "municipality")]
    [InlineData("bygglov&limit=1000", "limit")]
    public async Task BadSearchNamesTheField(string query, string field)
    {
        var client = await app.ClientForAsync(Roles.Operator);

        var response = await client.GetAsync($"/api/directory/search?q={query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await ErrorFieldsAsync(response));
    }
}
