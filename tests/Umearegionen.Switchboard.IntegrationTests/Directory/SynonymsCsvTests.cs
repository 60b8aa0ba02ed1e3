namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>Synonyms as CSV (docs/directory.md, "Synonyms as CSV"): the same rules, rows and audit as the other imports.</summary>
public sealed class SynonymsCsvTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private static string Letters(int n) => new(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Concat("abcdefgh").Take(n).ToArray());

    private static HttpContent CsvBody(string text, Encoding? encoding = null) =>
        new ByteArrayContent((encoding ?? new UTF8Encoding(true)).GetPreamble().Concat((encoding ?? Encoding.UTF8).GetBytes(text)).ToArray())
        {
            Headers = { ContentType = new MediaTypeHeaderValue("text/csv") },
        };

    private async Task<SearchHit[]> SearchAsync(string query, string municipality)
    {
        var client = await app.ClientForAsync(Roles.Operator, "2403");
        return (await client.GetFromJsonAsync<SearchHit[]>($"/api/directory/search?q={Uri.EscapeDataString(query)}&municipality={municipality}", Json))!;
    }

    [Fact]
    public async Task EditorImportsSynonymsTheSearchUsesThemAndTheExportGivesThemBack()
    {
        var topic = "snöröjning" + Letters(5);
        var word = "snöplogning" + Letters(5);
        var other = "plogbil" + Letters(5);
        var admin = await app.ClientForAsync(Roles.Administrator);
        var unit = await CreateUnitAsync(admin, "2460", Unique("Gata och park"), [topic]);
        await using var connection = app.HubConnection(await app.TokenForAsync(Roles.Operator, "2403"));
        var received = new List<DirectoryChange>();
        connection.On<DirectoryChange>(nameof(ISwitchboardClient.DirectoryChanged), change =>
        {
            lock (received)
            {
                received.Add(change);
            }
        });
        await connection.StartAsync();
        var editor = await app.ClientForAsync(Roles.Editor, "2460");

        // Comma-separated and saved by older Excel as Windows-1252: read all the same.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var response = await editor.PostAsync("/api/directory/synonyms/import/2460",
            CsvBody($"Word,Means\r\n{word},{topic}\r\n{other},\"{topic}\"\r\n", Encoding.GetEncoding(1252)));

        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal(new SynonymImportResult(2, 0), await ReadAsync<SynonymImportResult>(response));
        Assert.Contains(await SearchAsync(word, "2460"), h => h.UnitId == unit.Id);
        Assert.Contains(await SearchAsync(other, "2460"), h => h.UnitId == unit.Id);

        // The export is what the import reads: importing it again adds nothing.
        var export = await editor.GetAsync("/api/directory/synonyms/export/2460");
        await EnsureAsync(export, HttpStatusCode.OK);
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("\"word\";\"means\"\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"\"{word}\";\"{topic}\"\r\n", text, StringComparison.Ordinal);
        var again = await editor.PostAsync("/api/directory/synonyms/import/2460", CsvBody(text));
        await EnsureAsync(again, HttpStatusCode.OK);
        var result = await ReadAsync<SynonymImportResult>(again);
        Assert.Equal(0, result.Created);
        Assert.True(result.Unchanged >= 2);

        // Each added synonym is audited as imported, and the import was announced once, live.
        var synonyms = (await editor.GetFromJsonAsync<Synonym[]>("/api/directory/synonyms?municipality=2460", Json))!;
        var added = Assert.Single(synonyms, s => s.Word == word);
        var history = (await editor.GetFromJsonAsync<JsonElement[]>($"/api/directory/synonyms/{added.Id}/history", Json))!;
        Assert.Equal("imported", Assert.Single(history).GetProperty("action").GetString());
        await WaitForAsync(() => { lock (received) { return received.Any(c => c.EntityType == "synonym-import"); } });
        lock (received)
        {
            var change = Assert.Single(received, c => c.EntityType == "synonym-import");
            Assert.Equal(("2460", "2460", "imported", (int?)null), (change.Id, change.MunicipalityCode, change.Action, change.Version));
        }
    }

    [Fact]
    public async Task AnyBadRowIsReportedByRowAndColumnAndNothingIsWritten()
    {
        var good = "kommunhuset" + Letters(5);
        var editor = await app.ClientForAsync(Roles.Editor, "2401");
        var csv = $"word;means\r\n{good};kommunledningskontoret\r\nsnö plogning;snöröjning\r\n;socialtjänst\r\nfärdtjänst;-–\r\n";

        var response = await editor.PostAsync("/api/directory/synonyms/import/2401", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rows = (await ProblemAsync(response)).GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("field").GetString())).ToList();
        Assert.Equal([(3, "word"), (4, "word"), (5, "means")], rows);
        var synonyms = (await editor.GetFromJsonAsync<Synonym[]>("/api/directory/synonyms?municipality=2401", Json))!;
        Assert.DoesNotContain(synonyms, s => s.Word == good);

        var unknownColumn = await editor.PostAsync("/api/directory/synonyms/import/2401", CsvBody("word;means;municipality\r\nx;y;2401\r\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownColumn.StatusCode);
        Assert.Equal("municipality", (await ProblemAsync(unknownColumn)).GetProperty("rows")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnEditorImportsOnlyTheirOwnMunicipalitysSynonymsAndAnAdministratorTheSharedOnes()
    {
        var word = "hemtjanst" + Letters(5);
        var csv = $"word;means\r\n{word};hemtjänst\r\n";
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync("/api/directory/synonyms/import/2460", CsvBody(csv))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync("/api/directory/synonyms/import/shared", CsvBody(csv))).StatusCode);
        var operatorClient = await app.ClientForAsync(Roles.Operator, "2480");
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/api/directory/synonyms/import/2480", CsvBody(csv))).StatusCode);

        var admin = await app.ClientForAsync(Roles.Administrator);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/directory/synonyms/import/9999", CsvBody(csv))).StatusCode);
        var response = await admin.PostAsync("/api/directory/synonyms/import/shared", CsvBody(csv));
        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal(new SynonymImportResult(1, 0), await ReadAsync<SynonymImportResult>(response));
        var shared = (await operatorClient.GetFromJsonAsync<Synonym[]>("/api/directory/synonyms?municipality=shared", Json))!;
        Assert.Null(Assert.Single(shared, s => s.Word == word).MunicipalityCode);
        var export = await operatorClient.GetStringAsync("/api/directory/synonyms/export/shared");
        Assert.Contains($"\"{word}\";\"hemtjänst\"", export, StringComparison.Ordinal);
        Assert.DoesNotContain(word, await operatorClient.GetStringAsync("/api/directory/synonyms/export/2480"), StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }
}
