using Xunit.Abstractions;

namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class DirectoryImportTests(SwitchboardApp app, ITestOutputHelper output) : IClassFixture<SwitchboardApp>
{
    private const string Header = "type;key;parent;name;level;title;phone;email;address;topics;eservices;closed_kind;closed_phone;closed_url;closed_text";

    private static HttpContent CsvBody(string text, bool bom = true) =>
        new ByteArrayContent([.. (bom ? new byte[] { 0xEF, 0xBB, 0xBF } : []), .. Encoding.UTF8.GetBytes(text)])
        {
            Headers = { ContentType = new MediaTypeHeaderValue("text/csv") },
        };

    [Fact]
    public async Task EditorImportsUnitsAndPeopleInOneGo()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = $"""
            {Header}
            unit;{k}-sbf;;Samhällsbyggnad {k};administration;;090-16 10 00;;;;;;;;
            unit;{k}-bygg;{k}-sbf;Bygglov {k};department;;090-16 14 00;bygglov@umea.se;Skolgatan 31A;bygglov|bygganmälan;"Ansök om bygglov=https://www.umea.se/bygglov";e-service;;https://www.umea.se/bygglov;Använd e-tjänsten
            person;{k}-p1;{k}-bygg;Anna Lindberg;;Bygglovshandläggare;+46 90 16 14 01;anna.lindberg@umea.se;;;;;;;
            person;{k}-p2;{k}-bygg;"Per ""Pelle"" Nordin";;Byggnadsinspektör;070-123 45 67;;;;;;;;
            """;
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        await EnsureAsync(response, HttpStatusCode.OK);
        Assert.Equal(new ImportResult(2, 2), await ReadAsync<ImportResult>(response));
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!;
        var bygg = Assert.Single(units, u => u.ExternalKey == $"{k}-bygg");
        Assert.Equal(units.Single(u => u.ExternalKey == $"{k}-sbf").Id, bygg.ParentId);
        Assert.Equal(["bygglov", "bygganmälan"], bygg.Topics);
        Assert.Equal("+4690161400", bygg.Phone);
        var people = (await editor.GetFromJsonAsync<Person[]>($"/api/directory/people?unit={bygg.Id}", Json))!;
        Assert.Equal(["Anna Lindberg", "Per \"Pelle\" Nordin"], people.Select(p => p.Name).Order());
        var history = (await editor.GetFromJsonAsync<AuditEntry[]>($"/api/directory/people/{people[0].Id}/history", Json))!;
        Assert.Equal("imported", Assert.Single(history).Action);
    }

    [Fact]
    public async Task ImportWithAnyBadRowWritesNothingAndReportsEveryRow()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = $"""
            {Header}
            unit;{k}-a;;Good unit {k};unit;;090-16 10 00;;;;;;;;
            unit;{k}-b;;;unit;;16 10 00;;;;;;;;
            person;{k}-p1;{k}-missing;Anna Lindberg;;;;not-an-email;;;;;;;
            unit;{k}-c;;Bad link {k};unit;;;;;;"E-tjänst=ftp://umea.se";;;;
            person;{k}-p2;{k}-a;Per Nordin;;;;;;;;;;;
            """;
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rows = (await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!;
        Assert.Equal(
            [(3, "name"), (3, "phone"), (4, "email"), (4, "parent"), (5, "eservices")],
            rows.Select(r => (r.Row, r.Field)));
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!;
        Assert.DoesNotContain(units, u => u.ExternalKey?.StartsWith(k, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ImportAcceptsCommasAMultipartFileAndExistingParents()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var k = Guid.NewGuid().ToString("N")[..6];
        var first = await editor.PostAsync("/api/directory/municipalities/2460/import",
            CsvBody($"type,key,name,phone\nunit,{k}-top,Vännäs kommun {k},0935-140 00\n", bom: false));
        await EnsureAsync(first, HttpStatusCode.OK);

        using var form = new MultipartFormDataContent
        {
            { CsvBody($"type;key;parent;name;title\nperson;{k}-p;{k}-top;Elin Backman;Registrator\n"), "file", "personal.csv" },
        };
        var second = await editor.PostAsync("/api/directory/municipalities/2460/import", form);

        await EnsureAsync(second, HttpStatusCode.OK);
        Assert.Equal(new ImportResult(0, 1), await ReadAsync<ImportResult>(second));
    }

    [Fact]
    public async Task ImportOnlyCreatesSoAnExistingKeyIsAnError()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var csv = $"type;key;name\nunit;dup-{Guid.NewGuid():N};Fritid\n";
        await EnsureAsync(await editor.PostAsync("/api/directory/municipalities/2409/import", CsvBody(csv)), HttpStatusCode.OK);

        var again = await editor.PostAsync("/api/directory/municipalities/2409/import", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        var row = Assert.Single((await ProblemAsync(again)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!);
        Assert.Equal((2, "key"), (row.Row, row.Field));
    }

    [Fact]
    public async Task EditorCannotImportIntoAnotherMunicipality()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2403/import", CsvBody("type;name\nunit;Intrång\n"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task FileWithUnknownColumnsOrNoRowsIsRefused()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var unknown = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody("type;name;shoe_size\nunit;X;42\n"));
        var empty = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody("type;name\n"));

        Assert.Equal((1, "shoe_size"), Assert.Single((await ProblemAsync(unknown)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!) is var u ? (u.Row, u.Field) : default);
        Assert.Equal("file", Assert.Single((await ProblemAsync(empty)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!).Field);
    }

    [Fact]
    public async Task CyclesInTheFileAreReportedOnTheirRowsAndOnTheUnitsBelowThem()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = $"""
            type;key;parent;name
            unit;{k}-self;{k}-self;Egen förälder {k}
            unit;{k}-a;{k}-b;A {k}
            unit;{k}-b;{k}-a;B {k}
            unit;{k}-c;{k}-a;Under A {k}
            unit;{k}-ok;;Hel {k}
            """;
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rows = (await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!;
        Assert.Equal([(2, "parent"), (3, "parent"), (4, "parent"), (5, "parent")], rows.Select(r => (r.Row, r.Field)));
        Assert.Contains("rows 3, 4 form a cycle", rows[1].Message, StringComparison.Ordinal);
        Assert.Contains("below a cycle", rows[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARowWithADirectionOverrideOrALineBreakInANameIsRefused()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = $"type;key;parent;name;email\nunit;{k}-u;;\"Bygglov\nrad två\";\nperson;{k}-p;{k}-u;Anna \u202Ednil;anna\u202E@umea.se\n";
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rows = (await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!;
        Assert.Equal([(2, "name"), (3, "email"), (3, "name")], rows.Select(r => (r.Row, r.Field)));
    }

    [Fact]
    public async Task SixteenThousandChainedUnitsArePlannedParentsFirst()
    {
        // Leaf first: the worst order for a search that places one unit per pass over the rest. The CPU
        // time it prints is the benchmark in docs/performance.md; speed is measured there, not asserted.
        const int Depth = 16_000;
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = "type;key;parent;name\n" + string.Join("\n", Enumerable.Range(0, Depth).Reverse()
            .Select(i => $"unit;{k}-{i};{(i == 0 ? "" : $"{k}-{i - 1}")};Nivå {i}"));
        var errors = new List<ImportRowError>();
        var rows = DirectoryImport.ReadCsv(csv, errors);
        await using var conn = await app.Service<NpgsqlDataSource>().OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;

        var plan = await DirectoryImport.PlanAsync(conn, tx, "2480", rows, errors, CancellationToken.None);

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"Planning {Depth} chained units: {used.TotalMilliseconds:F0} ms of CPU");
        Assert.Empty(errors);
        Assert.Equal(Depth, plan.Units.Count);
        Assert.Equal($"{k}-0", plan.Units[0].Values.ExternalKey);
    }

    [Fact]
    public async Task EachEServicesStepsComeFromTheEserviceStepsColumnInTheOrderOfEservices()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = "type;key;name;eservices;eservice_steps\r\n" +
                  $"unit;{k}-fsk;Förskola {k};Ansök om förskoleplats=https://www.umea.se/forskoleplats|Säg upp plats=https://www.umea.se/uppsagning|Byt förskola=https://www.umea.se/byte;" +
                  "\"1. Gå till umea.se och välj E-tjänster.\r\n2. Logga in med BankID.\r\n\r\n3) Välj förskola och startdatum.||Logga in med BankID.\nVälj den nya förskolan.\"\r\n" +
                  $"unit;{k}-bib;Bibliotek {k};Låna om=https://www.umea.se/lana;\r\n";
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        await EnsureAsync(response, HttpStatusCode.OK);
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!;
        var preschool = Assert.Single(units, u => u.ExternalKey == $"{k}-fsk");
        Assert.Equal(["Gå till umea.se och välj E-tjänster.", "Logga in med BankID.", "Välj förskola och startdatum."], preschool.EServices[0].Steps!);
        Assert.Null(preschool.EServices[1].Steps);
        Assert.Equal(["Logga in med BankID.", "Välj den nya förskolan."], preschool.EServices[2].Steps!);
        Assert.Null(Assert.Single(units, u => u.ExternalKey == $"{k}-bib").EServices[0].Steps);
    }

    [Fact]
    public async Task BadStepsAreReportedOnTheEserviceStepsColumnAndNothingIsWritten()
    {
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = "type;key;parent;name;eservices;eservice_steps\r\n" +
                  $"unit;{k}-a;;Enhet A {k};Ansök=https://www.umea.se/a;Logga in.|Ett steg för mycket.\r\n" +
                  $"unit;{k}-b;;Enhet B {k};Ansök=https://www.umea.se/b;{new string('x', Units.MaxStep + 1)}\r\n" +
                  $"unit;{k}-c;;Enhet C {k};Ansök=https://www.umea.se/c;\"{string.Join("\n", Enumerable.Range(1, Units.MaxSteps + 1).Select(i => $"Steg {i}"))}\"\r\n" +
                  $"person;{k}-p;{k}-a;Anna Lindberg;;Logga in.\r\n";
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/municipalities/2480/import", CsvBody(csv));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var rows = (await ProblemAsync(response)).GetProperty("rows").Deserialize<ImportRowError[]>(Json)!;
        Assert.Equal([(2, "eservice_steps"), (3, "eservice_steps"), (4, "eservice_steps"), (5, "eservice_steps")], rows.Select(r => (r.Row, r.Field)));
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!;
        Assert.DoesNotContain(units, u => u.ExternalKey?.StartsWith(k, StringComparison.Ordinal) == true);
    }
}
