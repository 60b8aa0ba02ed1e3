namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class DirectoryEditingTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task EditorChangesTheirOwnMunicipalitysUnit()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Bygglov"), ["bygglov"]);

        var response = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2480", unit.Name, topics: ["bygglov", "rivningslov"], phone: "+46 90 16 20 00"));

        await EnsureAsync(response, HttpStatusCode.OK);
        var changed = await ReadAsync<Unit>(response);
        Assert.Equal(["bygglov", "rivningslov"], changed.Topics);
        Assert.Equal("+4690162000", changed.Phone);
        Assert.Equal(unit.Version + 1, changed.Version);
        Assert.Equal($"\"{changed.Version}\"", response.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task EditorCannotChangeOrRemoveAnotherMunicipalitysEntryAndNothingChanges()
    {
        var owner = await app.ClientForAsync(Roles.Editor, "2460");
        var unit = await CreateUnitAsync(owner, "2460", Unique("Socialtjänst"));
        var person = await CreatePersonAsync(owner, unit.Id, Unique("Anna Lind"));
        var other = await app.ClientForAsync(Roles.Editor, "2480");

        var changeUnit = await SendAsync(other, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version, UnitBody("2460", "Taken over"));
        var deleteUnit = await SendAsync(other, HttpMethod.Delete, $"/api/directory/units/{unit.Id}", unit.Version);
        var changePerson = await SendAsync(other, HttpMethod.Put, $"/api/directory/people/{person.Id}", person.Version,
            new { unitId = unit.Id, name = "Someone Else" });
        var deletePerson = await SendAsync(other, HttpMethod.Delete, $"/api/directory/people/{person.Id}", person.Version);

        Assert.All([changeUnit, deleteUnit, changePerson, deletePerson], r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        var reader = await app.ClientForAsync(Roles.Operator);
        var stored = (await reader.GetFromJsonAsync<Unit>($"/api/directory/units/{unit.Id}", Json))!;
        Assert.Equal((unit.Name, unit.Version, unit.UpdatedAt), (stored.Name, stored.Version, stored.UpdatedAt));
        Assert.Equal(person, await reader.GetFromJsonAsync<Person>($"/api/directory/people/{person.Id}", Json));
        var history = await reader.GetFromJsonAsync<AuditEntry[]>($"/api/directory/units/{unit.Id}/history", Json);
        Assert.Single(history!);
    }

    [Fact]
    public async Task EditorCannotCreateInAnotherMunicipality()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var name = Unique("Smuggled unit");

        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2403", name));
        var vannasUnit = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2403"), "2403", Unique("Bjurholm unit"));
        var personResponse = await editor.PostAsJsonAsync("/api/directory/people", new { unitId = vannasUnit.Id, name = "Smuggled Person" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, personResponse.StatusCode);
        var units = await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2403", Json);
        Assert.DoesNotContain(units!, u => u.Name == name);
        Assert.Empty((await editor.GetFromJsonAsync<Person[]>($"/api/directory/people?unit={vannasUnit.Id}", Json))!);
    }

    [Fact]
    public async Task OperatorsReadButCannotChange()
    {
        var operatorClient = await app.ClientForAsync(Roles.Operator, "2403");

        var response = await operatorClient.PostAsJsonAsync("/api/directory/units", UnitBody("2403", Unique("x")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/api/directory/units")).StatusCode);
    }

    [Fact]
    public async Task EveryChangeIsRecordedWithBeforeAndAfterAndTheHistoryIsReadable()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Gata"));
        var person = await CreatePersonAsync(editor, unit.Id, Unique("Erik Nordin"), "Gatuingenjör");
        var changed = await ReadAsync<Person>(await SendAsync(editor, HttpMethod.Put, $"/api/directory/people/{person.Id}", person.Version,
            new { unitId = unit.Id, name = person.Name, title = "Driftledare gata", phone = "090-16 55 55" }));
        await EnsureAsync(await SendAsync(editor, HttpMethod.Delete, $"/api/directory/people/{person.Id}", changed.Version), HttpStatusCode.NoContent);

        var manager = await app.ClientForAsync(Roles.Manager);
        var history = (await manager.GetFromJsonAsync<AuditEntry[]>($"/api/directory/people/{person.Id}/history", Json))!;

        Assert.Equal(["created", "updated", "deleted"], history.Select(h => h.Action));
        Assert.All(history, h => Assert.StartsWith("Test editor", h.ActorName));
        Assert.Null(history[0].Before);
        Assert.Equal("Gatuingenjör", history[1].Before!.Value.GetProperty("title").GetString());
        Assert.Equal("Driftledare gata", history[1].After!.Value.GetProperty("title").GetString());
        Assert.Equal("+4690165555", history[1].After!.Value.GetProperty("phone").GetString());
        Assert.Null(history[2].After);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync($"/api/directory/people/{person.Id}")).StatusCode);
    }

    [Fact]
    public async Task SecondOfTwoConcurrentSavesIsRefusedAndTheFirstIsKept()
    {
        var first = await app.ClientForAsync(Roles.Editor, "2401");
        var second = await app.ClientForAsync(Roles.Editor, "2401");
        var unit = await CreateUnitAsync(first, "2401", Unique("Hemtjänst"));

        var firstSave = await SendAsync(first, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2401", unit.Name, topics: ["hemtjänst"]));
        var secondSave = await SendAsync(second, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            UnitBody("2401", unit.Name, topics: ["trygghetslarm"]));

        await EnsureAsync(firstSave, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, secondSave.StatusCode);
        var problem = await ProblemAsync(secondSave);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("Test editor", detail);
        Assert.Contains("reload", detail);
        Assert.Equal(unit.Version + 1, problem.GetProperty("currentVersion").GetInt32());
        var stored = await first.GetFromJsonAsync<Unit>($"/api/directory/units/{unit.Id}", Json);
        Assert.Equal(["hemtjänst"], stored!.Topics);
    }

    [Fact]
    public async Task DeleteWithAStaleVersionIsRefused()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Park"));
        await EnsureAsync(await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version, UnitBody("2480", unit.Name + " och natur")), HttpStatusCode.OK);

        var response = await SendAsync(editor, HttpMethod.Delete, $"/api/directory/units/{unit.Id}", unit.Version);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/directory/units/{unit.Id}")).StatusCode);
    }

    [Fact]
    public async Task ChangeWithoutAVersionIsRefusedNamingTheHeader()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Bibliotek"));

        var response = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{unit.Id}", null, UnitBody("2480", "Nytt namn"));

        Assert.Equal((HttpStatusCode)428, response.StatusCode);
        Assert.Contains("If-Match", await ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task UnitWithPeopleOrSubUnitsCannotBeRemoved()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var parent = await CreateUnitAsync(editor, "2480", Unique("Samhällsbyggnad"));
        await CreateUnitAsync(editor, "2480", Unique("Bygglov"), parentId: parent.Id);
        var withPerson = await CreateUnitAsync(editor, "2480", Unique("Miljö"));
        await CreatePersonAsync(editor, withPerson.Id, Unique("Sara Öberg"));

        var first = await SendAsync(editor, HttpMethod.Delete, $"/api/directory/units/{parent.Id}", parent.Version);
        var second = await SendAsync(editor, HttpMethod.Delete, $"/api/directory/units/{withPerson.Id}", withPerson.Version);

        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        Assert.Contains("1 sub-units", (await ProblemAsync(first)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("1 people", (await ProblemAsync(second)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TreeCannotGetACycleAndParentMustBeInTheSameMunicipality()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var top = await CreateUnitAsync(editor, "2480", Unique("Förvaltning"));
        var child = await CreateUnitAsync(editor, "2480", Unique("Avdelning"), parentId: top.Id);
        var foreign = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2404"), "2404", Unique("Vindeln"));

        var cycle = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{top.Id}", top.Version, UnitBody("2480", top.Name, parentId: child.Id));
        var crossing = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2480", Unique("x"), parentId: foreign.Id));
        var unknown = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2480", Unique("x"), parentId: Guid.NewGuid()));

        Assert.All([cycle, crossing, unknown], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(["parentId"], await ErrorFieldsAsync(cycle));
        Assert.Equal(["parentId"], await ErrorFieldsAsync(crossing));
        Assert.Equal(["parentId"], await ErrorFieldsAsync(unknown));
    }

    [Fact]
    public async Task UnitCannotBeItsOwnParent()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Enhet"));

        var response = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version, UnitBody("2480", unit.Name, parentId: unit.Id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["parentId"], await ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task CycleIsFoundHoweverDeepTheTree()
    {
        // 300 levels, deeper than any fixed limit a walk of ancestors might have had (it had 100).
        const int Depth = 300;
        var k = Guid.NewGuid().ToString("N")[..6];
        var csv = "type;key;parent;name\n" + string.Join("\n", Enumerable.Range(0, Depth).Select(i => $"unit;{k}-{i};{(i == 0 ? "" : $"{k}-{i - 1}")};Nivå {i} {k}"));
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        await EnsureAsync(await editor.PostAsync("/api/directory/municipalities/2480/import", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        var units = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!;
        var root = units.Single(u => u.ExternalKey == $"{k}-0");
        var deepest = units.Single(u => u.ExternalKey == $"{k}-{Depth - 1}");

        var response = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{root.Id}", root.Version, UnitBody("2480", root.Name, parentId: deepest.Id));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["parentId"], await ErrorFieldsAsync(response));
    }

    [Fact]
    public async Task NamesAndAddressesMustBeOneLineWithoutDirectionOverrides()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Enhet"));

        var badUnit = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2480", "Bygglov\r\nX-Header: 1"));
        var badPerson = await editor.PostAsJsonAsync("/api/directory/people", new
        {
            unitId = unit.Id, name = "Anna \u202Ednil", email = "anna\u2066@umea.se",
            referral = new { until = DateTimeOffset.UtcNow.AddDays(1), referTo = "Per\u0007" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, badUnit.StatusCode);
        Assert.Equal(["name"], await ErrorFieldsAsync(badUnit));
        Assert.Equal(HttpStatusCode.BadRequest, badPerson.StatusCode);
        Assert.Equivalent(new[] { "name", "email", "referral.referTo" }, await ErrorFieldsAsync(badPerson), strict: true);
    }

    [Fact]
    public async Task BadInputNamesEachFieldAndWritesNothing()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var before = (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!.Length;

        var response = await editor.PostAsJsonAsync("/api/directory/units", new
        {
            municipalityCode = "2480", name = new string('x', 201), phone = "16 10 00", email = "not-an-address",
            topics = new[] { "bygglov", "" },
            eServices = new[] { new { name = "Ansök", url = "ftp://umea.se/x" } },
            whenClosed = new { kind = "on-call" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equivalent(new[] { "name", "phone", "email", "topics[1]", "eServices[0].url", "whenClosed.phone" },
            await ErrorFieldsAsync(response), strict: true);
        Assert.Equal(before, (await editor.GetFromJsonAsync<Unit[]>("/api/directory/units?municipality=2480", Json))!.Length);
    }

    [Fact]
    public async Task PersonNeedsAnExistingUnitAndAValidReferral()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await CreateUnitAsync(editor, "2480", Unique("Överförmyndare"));

        var noUnit = await editor.PostAsJsonAsync("/api/directory/people", new { unitId = Guid.NewGuid(), name = "Anna" });
        var badReferral = await editor.PostAsJsonAsync("/api/directory/people", new
        {
            unitId = unit.Id, name = "Anna", referral = new { reason = "Semester", referToPhone = "123" },
        });

        Assert.Equal(["unitId"], await ErrorFieldsAsync(noUnit));
        Assert.Equivalent(new[] { "referral.until", "referral.referToPhone" }, await ErrorFieldsAsync(badReferral), strict: true);
    }

    [Fact]
    public async Task MalformedJsonGetsAProblemAnswer()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await editor.PostAsync("/api/directory/units",
            new StringContent("{ \"name\": 12, \"topics\": \"x\" ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task ExternalKeyIsUniqueAmongAMunicipalitysUnitsAndAmongItsPeopleOnly()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var key = "key-" + Guid.NewGuid().ToString("N");
        var firstUnit = await editor.PostAsJsonAsync("/api/directory/units", new { municipalityCode = "2480", name = Unique("A"), externalKey = key });
        await EnsureAsync(firstUnit, HttpStatusCode.Created);
        var unit = (await firstUnit.Content.ReadFromJsonAsync<Unit>(Json))!;

        var secondUnit = await editor.PostAsJsonAsync("/api/directory/units", new { municipalityCode = "2480", name = Unique("B"), externalKey = key });
        var elsewhere = await (await app.ClientForAsync(Roles.Editor, "2404")).PostAsJsonAsync(
            "/api/directory/units", new { municipalityCode = "2404", name = Unique("C"), externalKey = key });
        var firstPerson = await editor.PostAsJsonAsync("/api/directory/people", new { unitId = unit.Id, name = "Anna Lind", externalKey = key });
        var secondPerson = await editor.PostAsJsonAsync("/api/directory/people", new { unitId = unit.Id, name = "Berit Lind", externalKey = key });
        var other = await CreatePersonAsync(editor, unit.Id, "Cecilia Lind");
        var otherTakesTheKey = await SendAsync(editor, HttpMethod.Put, $"/api/directory/people/{other.Id}", other.Version,
            new { unitId = unit.Id, name = other.Name, externalKey = key });
        var unitKeepsItsKey = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version,
            new { municipalityCode = "2480", name = unit.Name, externalKey = key });

        Assert.Equal(HttpStatusCode.BadRequest, secondUnit.StatusCode);
        Assert.Equal(["externalKey"], await ErrorFieldsAsync(secondUnit));
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.Created, firstPerson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, secondPerson.StatusCode);
        Assert.Contains("Another person of 2480", (await ProblemAsync(secondPerson)).GetProperty("errors").GetProperty("externalKey")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, otherTakesTheKey.StatusCode);
        Assert.Equal(["externalKey"], await ErrorFieldsAsync(otherTakesTheKey));
        Assert.Equal(HttpStatusCode.OK, unitKeepsItsKey.StatusCode);
    }

    [Fact]
    public async Task SimultaneousCreateWithTheSameKeyIsRefusedWithAConflict()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var key = "parallel-" + Guid.NewGuid().ToString("N");
        // Another writer has inserted the key but not yet committed when the request arrives.
        await using var other = new NpgsqlConnection(app.DatabaseConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "insert into directory_units (id, municipality_code, external_key, level, name, reviewed_at, created_at, updated_at) " +
            "values (gen_random_uuid(), '2480', @key, 'unit', 'Parallel', now(), now(), now())", other, tx))
        {
            insert.Parameters.AddWithValue("key", key);
            await insert.ExecuteNonQueryAsync();
        }

        var request = editor.PostAsJsonAsync("/api/directory/units", new { municipalityCode = "2480", name = "Mine", externalKey = key });
        await WaitUntilABackendWaitsForALockAsync(app.DatabaseConnectionString);
        await tx.CommitAsync();
        var response = await request;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Nothing was saved", (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    private static async Task WaitUntilABackendWaitsForALockAsync(string connectionString)
    {
        await using var probe = new NpgsqlConnection(connectionString);
        await probe.OpenAsync();
        for (var i = 0; i < 500; i++)
        {
            await using var command = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'", probe);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("The request never reached the insert.");
    }

    [Fact]
    public async Task AdministratorMayChangeAnyMunicipalitysEntry()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var unit = await CreateUnitAsync(editor, "2409", Unique("Kulturskola"));
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await SendAsync(admin, HttpMethod.Put, $"/api/directory/units/{unit.Id}", unit.Version, UnitBody("2409", unit.Name, topics: ["musikskola"]));

        await EnsureAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnitStoresWhatToDoWhenClosed()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2480", Unique("Socialtjänst"),
            eServices: [new { name = "Gör en orosanmälan", url = "https://www.umea.se/orosanmalan" }],
            whenClosed: new { kind = "on-call", phone = "090-16 10 00", text = "Ring socialjouren" }));

        await EnsureAsync(response, HttpStatusCode.Created);
        var unit = await ReadAsync<Unit>(response);
        Assert.Equal(new WhenClosed("on-call", "+4690161000", null, "Ring socialjouren"), unit.WhenClosed);
        Assert.Equal(new EService("Gör en orosanmälan", "https://www.umea.se/orosanmalan"), Assert.Single(unit.EServices));
    }
}
