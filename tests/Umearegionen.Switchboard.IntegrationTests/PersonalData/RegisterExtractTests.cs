using Umearegionen.Switchboard.IntegrationTests.Directory;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

public sealed class RegisterExtractTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    /// <summary>What one caller left: four calls, a callback (followed up), a message and a fault report.</summary>
    private sealed record Seeded(string Number, Guid Answered, Guid Callback, Guid Message, Guid FaultReport, Guid Stranger);

    private async Task<Seeded> SeedAsync(RoutingDriver world, string name)
    {
        var number = "+4670" + Random.Shared.Next(1000000, 9999999);
        var written = "070-" + number[5..];
        var op = await world.OperatorAsync();
        async Task<Guid> CallAsync(string caller, Func<Guid, Task> finish)
        {
            // A second apart, so newest first is one order.
            app.Clock!.Advance(TimeSpan.FromSeconds(1));
            var call = await world.CallAsync(caller: caller);
            await op.NextOfferAsync();
            await op.AcceptAsync(call.CallId);
            await finish(call.CallId);
            return call.CallId;
        }

        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await DirectoryApi.CreateUnitAsync(editor, "2480", DirectoryApi.Unique("Bygglov Umeå"));
        var start = app.Clock!.GetUtcNow().AddHours(2);
        var answered = await CallAsync(written, id => op.AnswerAsync(id, "information"));
        var callback = await CallAsync(written, id => op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            id, unit.Id.ToString(), "Bygglov", start, start.AddHours(1), "callback", "  " + name.ToUpperInvariant() + " ", null,
            "Vill prata om altanbygget")));
        var message = await CallAsync(written, id => op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            id, "person", null, "Eva Ek", "eva.ek@example.org", "Ring tillbaka om fakturan.", "message", name.Replace(" ", "   "))));
        // The fault report's contact number is the subject's, the call came from elsewhere: found by both.
        var fault = await CallAsync("+4690123456", id => op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            id, "2460", "Gatlampan är trasig", "Storgatan 3, Vännäs", written, "fault-report", name.ToLowerInvariant())));
        var stranger = await CallAsync("+4670" + Random.Shared.Next(1000000, 9999999), id => op.AnswerAsync(id, "information"));
        var admin = await RoutingDriver.ClientAsync(app, Roles.Administrator);
        var callbackId = await world.ScalarAsync<Guid>("select id from callbacks where call_id = @callback", new { callback });
        var followUp = await admin.PutAsJsonAsync($"/api/callbacks/{callbackId}/follow-up", new { result = "kept", note = "Ringde upp, allt klart" });
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
        return new Seeded(number, answered, callback, message, fault, stranger);
    }

    private async Task<(HttpClient Client, Guid Id)> AdministratorAsync()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Administrator);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", RoutingDriver.ServiceToken(app, account));
        return (client, account.Id);
    }

    private static async Task<Extract> ExtractAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/personal-data/extract?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Extract>())!;
    }

    [Fact]
    public async Task ExtractByNumberFindsEveryCallEventCallbackMessageAndFaultReportTheCallerLeft()
    {
        await using var world = new RoutingDriver(app);
        var seeded = await SeedAsync(world, "Greta Svensson");
        var (admin, adminId) = await AdministratorAsync();

        var extract = await ExtractAsync(admin, "number=" + Uri.EscapeDataString("0" + seeded.Number[3..5] + "-" + seeded.Number[5..]));

        Assert.Equal(new ExtractSubject("number", seeded.Number), extract.Subject);
        // The fault report's call came from another number: the report is the subject's, the call is not listed.
        Assert.Equal([seeded.Message, seeded.Callback, seeded.Answered], extract.Calls.Select(c => c.Id));
        Assert.All(extract.Calls, c => Assert.Equal(["received", "offered", "accepted", "completed"], c.Events.Select(e => e.Type)));
        var received = extract.Calls.Single(c => c.Id == seeded.Answered).Events[0];
        Assert.Equal(RoutingDriver.Bjurholm, received.Data?.GetProperty("dialledNumber").GetString());
        // The offer made on arrival is stored in the received event; the extract shows it as its own event, as before.
        Assert.False(received.Data?.TryGetProperty("offer", out _));
        var offered = extract.Calls.Single(c => c.Id == seeded.Answered).Events[1];
        Assert.Equal((received.At, received.Id + 1), (offered.At, offered.Id));
        Assert.True(Guid.TryParse(offered.Data?.GetProperty("operatorId").GetString(), out _));
        var callback = Assert.Single(extract.Callbacks);
        Assert.Equal((seeded.Callback, seeded.Number, "Vill prata om altanbygget", "kept", "Ringde upp, allt klart"),
            (callback.CallId, callback.CallerNumber, callback.Note, callback.FollowUpResult, callback.FollowUpNote));
        var message = Assert.Single(extract.Messages);
        Assert.Equal((seeded.Message, "Ring tillbaka om fakturan."), (message.CallId, message.Text));
        var fault = Assert.Single(extract.FaultReports);
        Assert.Equal((seeded.FaultReport, seeded.Number, "Gatlampan är trasig", "Storgatan 3, Vännäs"),
            (fault.CallId, fault.ContactNumber, fault.What, fault.Location));
        Assert.Equal(6, extract.RecordCount);

        var logged = await ExtractAsync(admin, "number=" + Uri.EscapeDataString(seeded.Number));
        var log = await (await admin.GetAsync($"/api/access-log?action=register_extract&actorId={adminId}")).Content.ReadFromJsonAsync<List<AccessLogEntry>>();
        Assert.Equal(2, log!.Count);
        Assert.All(log, e => Assert.Equal(("phone_number", true, 6), (e.TargetKind, e.SubjectSearched, e.RecordCount)));
        Assert.Equal(6, logged.RecordCount);
    }

    [Fact]
    public async Task ExtractByNameFindsTheCallbackMessageAndFaultReportWhateverTheCaseAndSpacing()
    {
        await using var world = new RoutingDriver(app);
        var name = "Märta " + DirectoryApi.Unique("Åberg").Replace(" ", "");
        var seeded = await SeedAsync(world, name);
        var (admin, adminId) = await AdministratorAsync();

        var extract = await ExtractAsync(admin, "name=" + Uri.EscapeDataString("  " + name.ToUpperInvariant().Replace(" ", "  ") + " "));

        Assert.Equal(AccessLog.NormaliseName(name), extract.Subject.Value);
        Assert.Equal(seeded.Callback, Assert.Single(extract.Callbacks).CallId);
        Assert.Equal(seeded.Message, Assert.Single(extract.Messages).CallId);
        Assert.Equal(seeded.FaultReport, Assert.Single(extract.FaultReports).CallId);
        Assert.Empty(extract.Calls);
        Assert.Equal(3, extract.RecordCount);
        var log = await (await admin.GetAsync($"/api/access-log?name={Uri.EscapeDataString(name)}")).Content.ReadFromJsonAsync<List<AccessLogEntry>>();
        Assert.Equal((AccessActions.RegisterExtract, "name", adminId.ToString()), (Assert.Single(log!).Action, log![0].TargetKind, log[0].ActorId));
    }

    [Fact]
    public async Task ExtractAsCsvOpensInSwedishExcelWithEveryRecord()
    {
        await using var world = new RoutingDriver(app);
        var seeded = await SeedAsync(world, "Olle Ström");
        var (admin, _) = await AdministratorAsync();

        var byFormat = await admin.GetAsync("/api/personal-data/extract?format=csv&number=" + Uri.EscapeDataString(seeded.Number));
        using var accept = new HttpRequestMessage(HttpMethod.Get, "/api/personal-data/extract?number=" + Uri.EscapeDataString(seeded.Number));
        accept.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var byAccept = await admin.SendAsync(accept);

        foreach (var response in new[] { byFormat, byAccept })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("registerutdrag-", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
            var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("Post;Id;Samtal;Tidpunkt;Uppgift;Värde", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("Registerutdrag;") && l.EndsWith(";Sökt telefonnummer;'" + seeded.Number));
            Assert.Contains(lines, l => l.StartsWith($"Samtal;{seeded.Answered};") && l.EndsWith(";Uppringande nummer;'" + seeded.Number));
            Assert.Contains(lines, l => l.StartsWith($"Samtal;{seeded.Answered};") && l.EndsWith(";Utfall;Besvarat av växeln"));
            Assert.Contains(lines, l => l.StartsWith("Händelse;") && l.Contains(";Samtalet kom in;") && l.Contains("dialledNumber: " + RoutingDriver.Bjurholm));
            Assert.Contains(lines, l => l.StartsWith("Återuppringning;") && l.EndsWith(";Uppföljningens anteckning;Ringde upp, allt klart"));
            Assert.Contains(lines, l => l.StartsWith($"Meddelande;") && l.EndsWith(";Text;Ring tillbaka om fakturan."));
            Assert.Contains(lines, l => l.StartsWith($"Felanmälan;") && l.EndsWith(";Var;Storgatan 3, Vännäs"));
            Assert.Contains(lines, l => l.StartsWith($"Felanmälan;") && l.EndsWith(";Kontaktperson;olle ström"));
        }
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Editor)]
    [InlineData(Roles.Manager)]
    public async Task OnlyAdministratorsMayTakeAnExtract(string role)
    {
        var client = await RoutingDriver.ClientAsync(app, role, role == Roles.Editor ? "2480" : null);

        var response = await client.GetAsync("/api/personal-data/extract?number=0701234567");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("number=abc", "number")]
    [InlineData("", "number")]
    [InlineData("number=0701234567&name=Greta", "number")]
    [InlineData("name=%20%20", "name")]
    [InlineData("number=0701234567&format=xml", "format")]
    public async Task BadExtractRequestsAreRefusedNamingTheField(string query, string field)
    {
        var (admin, adminId) = await AdministratorAsync();

        var response = await admin.GetAsync("/api/personal-data/extract?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var log = await (await admin.GetAsync($"/api/access-log?actorId={adminId}")).Content.ReadFromJsonAsync<List<AccessLogEntry>>();
        Assert.Empty(log!);
    }
}
