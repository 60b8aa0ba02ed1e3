namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>Each municipality's synonyms for the search (docs/directory.md, "Synonyms").</summary>
public sealed class SynonymsTests(SynonymsTests.App app) : IClassFixture<SynonymsTests.App>
{
    public sealed class App : SwitchboardApp
    {
        public Unit UmeaGata { get; private set; } = null!;
        public Unit VannasGata { get; private set; } = null!;
        public Unit UmeaIfo { get; private set; } = null!;
        public Unit BjurholmKlk { get; private set; } = null!;
        public Unit VindelnKlk { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var admin = await ClientForAsync(Roles.Administrator);
            UmeaGata = await CreateUnitAsync(admin, "2480", "Gata och trafik", ["snöröjning", "gatubelysning"]);
            VannasGata = await CreateUnitAsync(admin, "2460", "Gata och park", ["snöröjning"]);
            UmeaIfo = await CreateUnitAsync(admin, "2480", "Individ- och familjeomsorgen", ["ekonomiskt bistånd"]);
            BjurholmKlk = await CreateUnitAsync(admin, "2403", "Kommunledningskontoret", ["växel"]);
            VindelnKlk = await CreateUnitAsync(admin, "2404", "Kommunledningskontoret", ["växel"]);
        }
    }

    private async Task<SearchHit[]> SearchAsync(string query, string? municipality = null)
    {
        var client = await app.ClientForAsync(Roles.Operator, "2403");
        var response = await client.GetAsync($"/api/directory/search?q={Uri.EscapeDataString(query)}" + (municipality is null ? "" : $"&municipality={municipality}"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return await ReadAsync<SearchHit[]>(response);
    }

    private static Task<HttpResponseMessage> AddAsync(HttpClient client, string? municipality, string word, string means) =>
        client.PostAsJsonAsync("/api/directory/synonyms", new { municipalityCode = municipality, word, means });

    private static async Task<Synonym> AddedAsync(HttpClient client, string? municipality, string word, string means)
    {
        var response = await AddAsync(client, municipality, word, means);
        await EnsureAsync(response, HttpStatusCode.Created);
        return await ReadAsync<Synonym>(response);
    }

    [Theory]
    [InlineData("snöplogning")]
    [InlineData("snoplogning")]
    [InlineData("SNÖPLOGNINGEN")]
    [InlineData("snöplogninng")]
    public async Task AWordCallersUseFindsWhatItsMeaningFindsWithTheSameToleranceForLettersAndTypos(string query)
    {
        await EnsureSnoplogningAsync();

        var hits = await SearchAsync(query);

        Assert.Equal(("topic", "snöröjning", app.UmeaGata.Id), (hits[0].Kind, hits[0].Title, hits[0].UnitId));
    }

    [Fact]
    public async Task AMunicipalitysSynonymFindsOnlyThatMunicipalitysEntries()
    {
        await EnsureSnoplogningAsync();

        var hits = await SearchAsync("snöplogning");
        var inVannas = await SearchAsync("snöplogning", "2460");

        Assert.Contains(hits, h => h.UnitId == app.UmeaGata.Id);
        Assert.DoesNotContain(hits, h => h.UnitId == app.VannasGata.Id);
        Assert.Empty(inVannas);
        // The directory's own word still finds both.
        Assert.Contains(await SearchAsync("snöröjning"), h => h.UnitId == app.VannasGata.Id);
    }

    [Fact]
    public async Task ASynonymMayMeanAPhrase()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        await AddedAsync(editor, "2480", "socialtjänst", "individ- och familjeomsorg");

        var hits = await SearchAsync("socialtjanst");

        Assert.Equal(app.UmeaIfo.Id, hits.First().UnitId);
    }

    [Fact]
    public async Task ASharedSynonymKeptByAnAdministratorWorksForEveryMunicipalityAndAnEditorCannotAddOne()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var refused = await AddAsync(editor, null, "kommunhuset", "kommunledningskontoret");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(await SearchAsync("kommunhuset"));

        var admin = await app.ClientForAsync(Roles.Administrator);
        var shared = await AddedAsync(admin, null, "kommunhuset", "kommunledningskontoret");

        var hits = await SearchAsync("kommunhuset");
        Assert.Contains(hits, h => h.UnitId == app.BjurholmKlk.Id);
        Assert.Contains(hits, h => h.UnitId == app.VindelnKlk.Id);
        Assert.All(await SearchAsync("kommunhuset", "2404"), h => Assert.Equal("2404", h.MunicipalityCode));
        var listed = (await editor.GetFromJsonAsync<Synonym[]>("/api/directory/synonyms?municipality=shared", Json))!;
        Assert.Contains(listed, s => s.Id == shared.Id && s.MunicipalityCode is null);
    }

    [Fact]
    public async Task AnEditorKeepsOnlyTheirOwnMunicipalitysSynonyms()
    {
        var umea = await app.ClientForAsync(Roles.Editor, "2480");
        var vannas = await app.ClientForAsync(Roles.Editor, "2460");
        var word = "gatlyse" + Letters();
        var own = await AddedAsync(umea, "2480", word, "gatubelysning");

        var create = await AddAsync(vannas, "2480", word + "x", "gatubelysning");
        var delete = await vannas.DeleteAsync($"/api/directory/synonyms/{own.Id}");

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        var listed = (await vannas.GetFromJsonAsync<Synonym[]>("/api/directory/synonyms?municipality=2480", Json))!;
        Assert.Contains(listed, s => s.Id == own.Id);
        Assert.DoesNotContain(listed, s => s.Word == word + "x");
    }

    [Fact]
    public async Task RemovingASynonymStopsTheSearchFindingByItAndBothChangesAreInItsHistory()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var word = "lampan" + Letters();
        var synonym = await AddedAsync(editor, "2480", word, "gatubelysning");
        Assert.Contains(await SearchAsync(word), h => h.UnitId == app.UmeaGata.Id);

        var again = await AddAsync(editor, "2480", word, "gatubelysning");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        await EnsureAsync(await editor.DeleteAsync($"/api/directory/synonyms/{synonym.Id}"), HttpStatusCode.NoContent);

        Assert.Empty(await SearchAsync(word));
        Assert.Equal(HttpStatusCode.NotFound, (await editor.DeleteAsync($"/api/directory/synonyms/{synonym.Id}")).StatusCode);
        var history = (await editor.GetFromJsonAsync<JsonElement[]>($"/api/directory/synonyms/{synonym.Id}/history", Json))!;
        Assert.Equal(["created", "deleted"], history.Select(e => e.GetProperty("action").GetString()));
        Assert.All(history, e => Assert.Equal("2480", e.GetProperty("municipalityCode").GetString()));
    }

    [Theory]
    [InlineData("2480", "snö plogning", "snöröjning", "word")]
    [InlineData("2480", "", "snöröjning", "word")]
    [InlineData("2480", "snöplogning", " - ", "means")]
    [InlineData("2480", "snöplogning", "", "means")]
    [InlineData("9999", "snöplogning", "snöröjning", "municipalityCode")]
    public async Task ABadSynonymIsRefusedNamingTheField(string municipality, string word, string means, string field)
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await AddAsync(admin, municipality, word, means);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await ErrorFieldsAsync(response));
    }

    private static string Letters() => new(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(5).ToArray());

    private async Task EnsureSnoplogningAsync()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var response = await AddAsync(editor, "2480", "snöplogning", "snöröjning");
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, response.StatusCode.ToString());
    }
}
