using Umearegionen.Switchboard.Answers;

namespace Umearegionen.Switchboard.IntegrationTests.Answers;

public sealed class AnswersApiTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private static readonly DateOnly Today = AnswerStore.Today(DateTimeOffset.UtcNow);

    public static object Body(string? municipality, string question, string answer = "Sopkärlen töms varannan vecka; se tömningsschemat.",
        string[]? topics = null, Guid[]? unitIds = null, DateOnly? validFrom = null, DateOnly? validTo = null, string? key = null) => new
    {
        municipalityCode = municipality, externalKey = key, question, answer, topics = topics ?? ["sophämtning"], unitIds = unitIds ?? [],
        eServices = new[] { new { name = "Felanmälan sophämtning", url = "https://www.umea.se/sophamtning" } }, validFrom, validTo,
    };

    public static async Task<AnswerEntry> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/answers", body, Json);
        await EnsureAsync(response, HttpStatusCode.Created);
        return await ReadAsync<AnswerEntry>(response);
    }

    [Fact]
    public async Task EditorWritesAnAnswerOfTheirOwnMunicipalityAndOperatorsReadIt()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Avfall"), ["sophämtning"]);
        var question = Unique("När töms soporna?");

        var response = await editor.PostAsJsonAsync("/api/answers", Body("2480", question, "Rad ett.\r\nRad två.", unitIds: [unit.Id]), Json);

        await EnsureAsync(response, HttpStatusCode.Created);
        var created = await ReadAsync<AnswerEntry>(response);
        Assert.Equal("\"1\"", response.Headers.ETag?.Tag);
        Assert.Equal(("2480", question, "Rad ett.\nRad två.", 1), (created.MunicipalityCode, created.Question, created.Answer, created.Version));
        Assert.Equal([unit.Id], created.UnitIds);
        Assert.Equal("https://www.umea.se/sophamtning", Assert.Single(created.EServices).Url);
        var operatorClient = await app.ClientForAsync(Roles.Operator);
        Assert.Equal(JsonSerializer.Serialize(created), JsonSerializer.Serialize(await operatorClient.GetFromJsonAsync<AnswerEntry>($"/api/answers/{created.Id}", Json)));
        var page = (await operatorClient.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality=2480&unit={unit.Id}", Json))!;
        Assert.Equal([created.Id], page.Answers.Select(a => a.Id));
    }

    [Fact]
    public async Task EditorCannotWriteAnotherMunicipalitysOrTheSharedAnswersAndNothingChanges()
    {
        var owner = await app.ClientForAsync(Roles.Editor, "2460");
        var answer = await CreateAsync(owner, Body("2460", Unique("Vännäs fråga")));
        var other = await app.ClientForAsync(Roles.Editor, "2480");
        var admin = await app.ClientForAsync(Roles.Administrator);

        var create = await other.PostAsJsonAsync("/api/answers", Body("2460", Unique("Smuggled")), Json);
        var createShared = await other.PostAsJsonAsync("/api/answers", Body(null, Unique("Shared by an editor")), Json);
        var change = await SendAsync(other, HttpMethod.Put, $"/api/answers/{answer.Id}", answer.Version, Body("2460", "Taken over"));
        var delete = await SendAsync(other, HttpMethod.Delete, $"/api/answers/{answer.Id}", answer.Version);
        var review = await other.PostAsync($"/api/answers/{answer.Id}/review", null);
        var operatorCreate = await (await app.ClientForAsync(Roles.Operator, "2480")).PostAsJsonAsync("/api/answers", Body("2480", "x"), Json);

        Assert.All([create, createShared, change, delete, review, operatorCreate], r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(JsonSerializer.Serialize(answer), JsonSerializer.Serialize(await admin.GetFromJsonAsync<AnswerEntry>($"/api/answers/{answer.Id}", Json)));
        var shared = await CreateAsync(admin, Body(null, Unique("Gemensam fråga")));
        Assert.Null(shared.MunicipalityCode);
        var sharedChange = await SendAsync(owner, HttpMethod.Put, $"/api/answers/{shared.Id}", shared.Version, Body(null, "Changed by an editor"));
        Assert.Equal(HttpStatusCode.Forbidden, sharedChange.StatusCode);
    }

    [Fact]
    public async Task SecondOfTwoConcurrentSavesIsRefusedAndAChangeWithoutVersionIsRefused()
    {
        var first = await app.ClientForAsync(Roles.Editor, "2401");
        var second = await app.ClientForAsync(Roles.Editor, "2401");
        var answer = await CreateAsync(first, Body("2401", Unique("Hur söker jag bygglov?")));

        var firstSave = await SendAsync(first, HttpMethod.Put, $"/api/answers/{answer.Id}", answer.Version, Body("2401", answer.Question, "Första svaret."));
        var secondSave = await SendAsync(second, HttpMethod.Put, $"/api/answers/{answer.Id}", answer.Version, Body("2401", answer.Question, "Andra svaret."));
        var noVersion = await SendAsync(second, HttpMethod.Put, $"/api/answers/{answer.Id}", null, Body("2401", answer.Question, "Tredje."));
        var staleDelete = await SendAsync(second, HttpMethod.Delete, $"/api/answers/{answer.Id}", answer.Version);

        await EnsureAsync(firstSave, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, secondSave.StatusCode);
        Assert.Equal(2, (await ProblemAsync(secondSave)).GetProperty("currentVersion").GetInt32());
        Assert.Equal(HttpStatusCode.PreconditionRequired, noVersion.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, staleDelete.StatusCode);
        var stored = (await first.GetFromJsonAsync<AnswerEntry>($"/api/answers/{answer.Id}", Json))!;
        Assert.Equal(("Första svaret.", 2), (stored.Answer, stored.Version));
    }

    [Fact]
    public async Task EveryChangeIsRecordedWithBeforeAndAfter()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var answer = await CreateAsync(editor, Body("2480", Unique("Var hämtar jag säckar?")));
        var changed = await ReadAsync<AnswerEntry>(await SendAsync(editor, HttpMethod.Put, $"/api/answers/{answer.Id}", answer.Version,
            Body("2480", answer.Question, "På återvinningscentralen.")));
        await EnsureAsync(await editor.PostAsync($"/api/answers/{answer.Id}/review", null), HttpStatusCode.NoContent);
        var reviewed = (await editor.GetFromJsonAsync<AnswerEntry>($"/api/answers/{answer.Id}", Json))!;
        await EnsureAsync(await SendAsync(editor, HttpMethod.Delete, $"/api/answers/{answer.Id}", changed.Version), HttpStatusCode.NoContent);

        var history = (await (await app.ClientForAsync(Roles.Manager)).GetFromJsonAsync<AuditEntry[]>($"/api/answers/{answer.Id}/history", Json))!;

        Assert.Equal(["created", "updated", "reviewed", "deleted"], history.Select(h => h.Action));
        Assert.All(history, h => Assert.Equal("2480", h.MunicipalityCode));
        Assert.Equal(answer.Answer, history[1].Before!.Value.GetProperty("answer").GetString());
        Assert.Equal("På återvinningscentralen.", history[1].After!.Value.GetProperty("answer").GetString());
        Assert.Equal(changed.Version, reviewed.Version);
        Assert.True(reviewed.ReviewedAt > answer.ReviewedAt);
        Assert.Null(history[3].After);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync($"/api/answers/{answer.Id}")).StatusCode);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"municipalityCode":"2480","question":"Fr\u0000ga","answer":"Svar"}""", "question" },
        { """{"municipalityCode":"2480","question":"Fr\u0007ga","answer":"Svar"}""", "question" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Sv\u001bar"}""", "answer" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Sv\u202ear"}""", "answer" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"  "}""", "answer" },
        { """{"municipalityCode":"2480","answer":"Svar"}""", "question" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Svar","validFrom":"2026-12-24","validTo":"2026-12-01"}""", "validTo" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Svar","validFrom":"2026-13-01"}""", "validFrom" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Svar","unitIds":["0f8fad5b-d9cb-469f-a165-70867728950e"]}""", "unitIds[0]" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Svar","eServices":[{"name":"E","url":"ftp://x"}]}""", "eServices[0].url" },
        { """{"municipalityCode":"2480","question":"Fråga","answer":"Svar","topics":["ok","  "]}""", "topics[1]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInputIsRefusedNamingTheFieldAndNothingIsStored(string json, string field)
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsync("/api/answers", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task TooLongQuestionAndAnswerAreRefusedNamingTheirFields()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsJsonAsync("/api/answers",
            Body("2480", new string('f', AnswerStore.MaxQuestion + 1), new string('s', AnswerStore.MaxAnswer + 1)), Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["answer", "question"], (await ErrorFieldsAsync(response)).Order());
    }

    [Fact]
    public async Task OperatorsSeeOnlyAnswersValidTodayWhileEditorsSeeThemAll()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var topic = Unique("julhelg");
        var current = await CreateAsync(editor, Body("2409", Unique("Gäller nu"), topics: [topic], validFrom: Today, validTo: Today));
        var future = await CreateAsync(editor, Body("2409", Unique("Gäller i morgon"), topics: [topic], validFrom: Today.AddDays(1)));
        var past = await CreateAsync(editor, Body("2409", Unique("Gällde i går"), topics: [topic], validTo: Today.AddDays(-1)));
        var operatorClient = await app.ClientForAsync(Roles.Operator);

        var seenByOperator = (await operatorClient.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality=2409&topic={Uri.EscapeDataString(topic)}", Json))!;
        var seenByEditor = (await editor.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality=2409&topic={Uri.EscapeDataString(topic)}", Json))!;
        var validTomorrow = (await editor.GetFromJsonAsync<AnswerPage>(
            $"/api/answers?municipality=2409&topic={Uri.EscapeDataString(topic)}&validOn={Today.AddDays(1):yyyy-MM-dd}", Json))!;

        Assert.Equal([current.Id], seenByOperator.Answers.Select(a => a.Id));
        Assert.Equal(new[] { current.Id, future.Id, past.Id }.Order(), seenByEditor.Answers.Select(a => a.Id).Order());
        Assert.Equal([future.Id], validTomorrow.Answers.Select(a => a.Id));
    }

    [Fact]
    public async Task ListIsPagedAndItsFiltersAreChecked()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var topic = Unique("paging");
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(editor, Body("2403", $"Fråga {i} {topic}", topics: [topic]));
        }

        var first = (await editor.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality=2403&topic={Uri.EscapeDataString(topic)}&limit=2", Json))!;
        var second = (await editor.GetFromJsonAsync<AnswerPage>(
            $"/api/answers?municipality=2403&topic={Uri.EscapeDataString(topic)}&limit=2&offset={first.NextOffset}", Json))!;
        var bad = await editor.GetAsync("/api/answers?municipality=umea&validOn=igår&limit=0&offset=-1");

        Assert.Equal((2, 2), (first.Answers.Count, first.NextOffset));
        Assert.Equal((1, (int?)null), (second.Answers.Count, second.NextOffset));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["limit", "municipality", "offset", "validOn"], (await ErrorFieldsAsync(bad)).Order());
    }

    [Fact]
    public async Task CsvExportIsWhatTheImportReadsAndABadRowWritesNothing()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2404");
        var unit = await CreateUnitAsync(editor, "2404", Unique("Kundtjänst"));
        var key = Unique("svar").Replace(' ', '-');
        var answer = await CreateAsync(editor, Body("2404", Unique("Var betalar jag \"vatten\"?"), "Rad ett;\nrad två.", unitIds: [unit.Id], key: key,
            validFrom: Today, validTo: Today.AddDays(30)));

        var export = await editor.GetAsync("/api/answers/export/2404");
        await EnsureAsync(export, HttpStatusCode.OK);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var csv = await export.Content.ReadAsStringAsync();
        var newKey = Unique("nytt").Replace(' ', '-');
        var edited = csv.Replace("Rad ett;", "Rad ETT;", StringComparison.Ordinal)
                     + $"\"{newKey}\";\"Ny fråga {newKey}\";\"Nytt svar\";\"avgift|vatten\";\"\";\"\";\"\";\"\"\r\n";
        var import = await editor.PostAsync("/api/answers/import/2404", new StringContent(edited, Encoding.UTF8, "text/csv"));
        var badImport = await editor.PostAsync("/api/answers/import/2404", new StringContent(
            edited.Replace("Nytt svar", "", StringComparison.Ordinal) + $"\"{key}x\";\"Fråga\";\"Svar\";\"\";\"no-such-unit\";\"\";\"2026-02-30\";\"\"\r\n",
            Encoding.UTF8, "text/csv"));
        var otherMunicipality = await editor.PostAsync("/api/answers/import/2480", new StringContent(edited, Encoding.UTF8, "text/csv"));

        await EnsureAsync(import, HttpStatusCode.OK);
        Assert.Equal(new AnswerImportResult(1, Updated: csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1),
            await ReadAsync<AnswerImportResult>(import));
        var stored = (await editor.GetFromJsonAsync<AnswerEntry>($"/api/answers/{answer.Id}", Json))!;
        Assert.Equal(("Rad ETT;\nrad två.", answer.Question, unit.Id, answer.ValidTo, 2),
            (stored.Answer, stored.Question, Assert.Single(stored.UnitIds), stored.ValidTo, stored.Version));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badImport.StatusCode);
        var rows = (await ProblemAsync(badImport)).GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("field").GetString()).ToList();
        Assert.Equal(["answer", "units", "valid_from"], rows.Order());
        Assert.Equal(HttpStatusCode.Forbidden, otherMunicipality.StatusCode);
        var page = (await editor.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality=2404&shared=false&limit=500", Json))!;
        Assert.Single(page.Answers, a => a.ExternalKey == newKey);
    }

    private static HttpContent CsvFile(string csv) => new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };

    private static MultipartFormDataContent Multipart(string csv) => new() { { CsvFile(csv), "file", "svar.csv" } };

    /// <summary>A municipality's own answers (those whose key starts with <paramref name="prefix"/>, if given), as text to compare.</summary>
    private static async Task<string[]> StoredAsync(HttpClient client, string municipality, string? prefix = null) =>
        [.. (await client.GetFromJsonAsync<AnswerPage>($"/api/answers?municipality={municipality}&shared=false&limit=500", Json))!.Answers
            .Where(a => prefix is null || a.ExternalKey?.StartsWith(prefix, StringComparison.Ordinal) == true)
            .Select(a => string.Join(" / ", a.ExternalKey, a.Question, a.Answer, string.Join('|', a.Topics),
                string.Join('|', a.EServices.Select(e => $"{e.Name}={e.Url}")), a.ValidFrom, a.ValidTo))
            .Order()];

    [Fact]
    public async Task AMultipartImportStoresTheSameAsATextCsvOne()
    {
        var asCsv = await app.ClientForAsync(Roles.Editor, "2409");
        var asMultipart = await app.ClientForAsync(Roles.Editor, "2460");
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var csv = "key;question;answer;topics;units;eservices;valid_from;valid_to\r\n"
                  + $"{prefix}-1;När töms soporna?;\"Varannan vecka;\nse schemat.\";sophämtning|avfall;;Tömningsschema=https://www.umea.se/sophamtning;2026-01-01;\r\n"
                  + $"{prefix}-2;Vad kostar vatten?;Se taxan.;vatten;;;;2099-12-31\r\n";

        var csvImport = await asCsv.PostAsync("/api/answers/import/2409", CsvFile(csv));
        var multipartImport = await asMultipart.PostAsync("/api/answers/import/2460", Multipart(csv));

        await EnsureAsync(csvImport, HttpStatusCode.OK);
        await EnsureAsync(multipartImport, HttpStatusCode.OK);
        Assert.Equal(new AnswerImportResult(2, 0), await ReadAsync<AnswerImportResult>(csvImport));
        Assert.Equal(new AnswerImportResult(2, 0), await ReadAsync<AnswerImportResult>(multipartImport));
        var stored = await StoredAsync(asCsv, "2409", prefix);
        Assert.Equal(2, stored.Length);
        Assert.Equal(stored, await StoredAsync(asMultipart, "2460", prefix));
    }

    [Fact]
    public async Task ABrokenMultipartImportIsA400NamingFileAndStoresNothing()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2401");
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var before = await StoredAsync(editor, "2401");
        var cutShort = new ByteArrayContent(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"svar.csv\"\r\n\r\n"
                                                                  + $"key;question;answer\r\n{prefix};Fråga;Svar\r\n"));
        cutShort.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        var noBoundary = new ByteArrayContent(Encoding.UTF8.GetBytes($"key;question;answer\r\n{prefix};Fråga;Svar\r\n"));
        noBoundary.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");

        foreach (var content in new HttpContent[] { cutShort, noBoundary })
        {
            var response = await editor.PostAsync("/api/answers/import/2401", content);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await ProblemAsync(response)).GetProperty("errors");
            Assert.Equal(["file"], errors.EnumerateObject().Select(e => e.Name));
            Assert.Equal("The multipart body could not be read; send the CSV file as a text/csv body or as the field 'file' of a well-formed " +
                         "multipart/form-data body.", errors.GetProperty("file")[0].GetString());
        }

        Assert.Equal(before, await StoredAsync(editor, "2401"));
    }

    [Fact]
    public async Task AnEmptyFileIsA422NamingFileWhetherSentAsTextCsvOrMultipart()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2401");

        foreach (var content in new HttpContent[] { CsvFile(""), Multipart("") })
        {
            var response = await editor.PostAsync("/api/answers/import/2401", content);

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var row = Assert.Single((await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!);
            Assert.Equal((0, "file", "Send the CSV file as a text/csv body or as the multipart field 'file' (at most 10 MB)."), (row.Row, row.Field, row.Message));
        }
    }

    [Fact]
    public async Task OverdueListsAnEditorsOwnAnswersNotReviewedInTime()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2284");
        var answer = await CreateAsync(editor, Body("2284", Unique("Gammal fråga")));
        await using (var conn = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("update answers set reviewed_at = now() - interval '400 days' where id = @id", conn);
            command.Parameters.AddWithValue("id", answer.Id);
            await command.ExecuteNonQueryAsync();
        }

        var overdue = (await editor.GetFromJsonAsync<OverdueAnswer[]>("/api/answers/overdue", Json))!;
        var otherEditors = (await (await app.ClientForAsync(Roles.Editor, "2480")).GetFromJsonAsync<OverdueAnswer[]>("/api/answers/overdue", Json))!;

        Assert.Contains(overdue, o => o.Id == answer.Id);
        Assert.DoesNotContain(otherEditors, o => o.Id == answer.Id);
        await EnsureAsync(await editor.PostAsync($"/api/answers/{answer.Id}/review", null), HttpStatusCode.NoContent);
        Assert.DoesNotContain((await editor.GetFromJsonAsync<OverdueAnswer[]>("/api/answers/overdue", Json))!, o => o.Id == answer.Id);
    }
}
