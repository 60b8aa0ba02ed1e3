namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>An e-service's step-by-step guidance (docs/directory.md, "E-service steps"): kept with its unit, shown with the hit.</summary>
public sealed class EServiceStepsTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private static string Word(string prefix) => prefix + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(5).ToArray());

    private static object Service(string name, params string?[] steps) =>
        new { name, url = "https://www.vannas.se/e-tjanster/forskoleplats", steps };

    [Fact]
    public async Task EditorSavesStepsWithTheUnitAndTheOperatorsSearchHitCarriesThem()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var name = $"Ansök om {Word("förskoleplats")}";
        var created = await ReadAsync<Unit>(await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", "Förskola Vännäs",
            eServices: [Service(name, "Gå till vannas.se och välj E-tjänster.", "Logga in med BankID.")])));
        Assert.Equal(["Gå till vannas.se och välj E-tjänster.", "Logga in med BankID."], created.EServices[0].Steps!);

        // A third step is added with the unit, as any change of the unit: versioned and audited.
        var response = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{created.Id}", created.Version, UnitBody("2460", "Förskola Vännäs",
            eServices: [Service(name, "Gå till vannas.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och önskat startdatum.")]));
        await EnsureAsync(response, HttpStatusCode.OK);
        var updated = await ReadAsync<Unit>(response);
        Assert.Equal(created.Version + 1, updated.Version);
        var history = (await editor.GetFromJsonAsync<JsonElement[]>($"/api/directory/units/{created.Id}/history", Json))!;
        Assert.Equal(3, history[^1].GetProperty("after").GetProperty("eServices")[0].GetProperty("steps").GetArrayLength());
        Assert.Equal(2, history[^1].GetProperty("before").GetProperty("eServices")[0].GetProperty("steps").GetArrayLength());

        var operatorClient = await app.ClientForAsync(Roles.Operator, "2403");
        var hits = (await operatorClient.GetFromJsonAsync<SearchHit[]>($"/api/directory/search?q={Uri.EscapeDataString(name)}", Json))!;
        var hit = Assert.Single(hits, h => h.Kind == "e-service");
        Assert.Equal(["Gå till vannas.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och önskat startdatum."], hit.Steps!);
        Assert.All(hits.Where(h => h.Kind != "e-service"), h => Assert.Null(h.Steps));
    }

    [Fact]
    public async Task AnEServiceWithoutStepsHasNone()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var name = $"Beställ {Word("nybyggnadskarta")}";
        var unit = await ReadAsync<Unit>(await admin.PostAsJsonAsync("/api/directory/units", UnitBody("2403", "Bygg och miljö",
            eServices: [new { name, url = "https://www.bjurholm.se/karta" }])));

        Assert.Null(unit.EServices[0].Steps);
        var hits = (await admin.GetFromJsonAsync<SearchHit[]>($"/api/directory/search?q={Uri.EscapeDataString(name)}", Json))!;
        Assert.Null(Assert.Single(hits, h => h.Kind == "e-service").Steps);
    }

    [Fact]
    public async Task BadStepsAreRefusedNamingTheStepAndNothingIsSaved()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var name = Word("Ansökan");

        var blank = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", name, eServices: [Service("Ansök", "Logga in.", " ")]));
        var twoLines = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", name, eServices: [Service("Ansök", "Logga in.\nVälj.")]));
        var tooMany = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", name,
            eServices: [Service("Ansök", Enumerable.Range(1, Units.MaxSteps + 1).Select(i => $"Steg {i}").ToArray())]));
        var tooLong = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", name, eServices: [Service("Ansök", new string('x', Units.MaxStep + 1))]));

        Assert.Equal(["eServices[0].steps[1]"], await ErrorFieldsAsync(blank));
        Assert.Equal(["eServices[0].steps[0]"], await ErrorFieldsAsync(twoLines));
        Assert.Equal(["eServices[0].steps"], await ErrorFieldsAsync(tooMany));
        Assert.Equal(["eServices[0].steps[0]"], await ErrorFieldsAsync(tooLong));
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2460", Json))!;
        Assert.DoesNotContain(units, u => u.Name == name);
    }

    [Fact]
    public async Task AnotherMunicipalitysEditorCannotChangeTheSteps()
    {
        var owner = await app.ClientForAsync(Roles.Editor, "2460");
        var unit = await ReadAsync<Unit>(await owner.PostAsJsonAsync("/api/directory/units", UnitBody("2460", Word("Fritid"),
            eServices: [Service("Boka", "Logga in.")])));
        var other = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await SendAsync(other, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2460", unit.Name, eServices: [Service("Boka", "Ring oss i stället.")]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var stored = (await owner.GetFromJsonAsync<Unit>($"/api/directory/units/{unit.Id}", Json))!;
        Assert.Equal(["Logga in."], stored.EServices[0].Steps!);
    }
}
