using System.Threading.Channels;
using Umearegionen.Switchboard.Answers;
using Umearegionen.Switchboard.Guidance;
using Umearegionen.Switchboard.IntegrationTests.PersonalData;
using Umearegionen.Switchboard.TelephonySimulator;
using static Umearegionen.Switchboard.IntegrationTests.Answers.AnswersApiTests;

namespace Umearegionen.Switchboard.IntegrationTests.Guidance;

/// <summary>
/// The service on a fake clock with the SMS gateway simulator (a real HTTP listener) as its gateway. Retention
/// times as <see cref="PersonalDataApp"/>'s, links kept <see cref="GuidanceDays"/> days.
/// </summary>
public sealed class GuidanceApp : PersonalDataApp
{
    public const string GatewayKey = "test-gateway-key";
    public const int GuidanceDays = 4;
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    public const int MaxAttempts = 3;

    public SmsGatewaySimulator Gateway { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Gateway = SmsGatewaySimulator.Start(apiKey: GatewayKey);
        await base.InitializeAsync();
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Sms:BaseUrl"] = Gateway.BaseUrl,
        ["Sms:ApiKey"] = GatewayKey,
        ["Sms:RetryInterval"] = RetryInterval.ToString(),
        ["Sms:MaxAttempts"] = $"{MaxAttempts}",
        ["PersonalData:Retention:GuidanceDays"] = $"{GuidanceDays}",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

/// <summary>An operator with a call, the links it sends and what the gateway receives.</summary>
public sealed class GuidanceWorld(PersonalDataApp app, RoutingDriver driver)
{
    public Channel<GuidanceView> Updates { get; } = Channel.CreateUnbounded<GuidanceView>();

    public async Task<(OperatorClient Op, CallView Call)> OperatorWithCallAsync(string? caller = null)
    {
        var op = await driver.OperatorAsync();
        op.Connection.On<GuidanceView>(nameof(ISwitchboardClient.GuidanceUpdated), g => Updates.Writer.TryWrite(g));
        var call = await new PersonalDataWorld(app, driver).ConnectedCallAsync(op, caller ?? PersonalDataWorld.NewCaller());
        return (op, call);
    }

    public Task<(Guid UnitId, string EService, string Url)> UnitWithEServiceAsync() => UnitWithEServiceAsync(app);

    /// <summary>A unit of Bjurholm with one e-service, made by an editor over HTTP.</summary>
    public static async Task<(Guid UnitId, string EService, string Url)> UnitWithEServiceAsync(Infrastructure.SwitchboardApp app)
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var name = Unique("Ansök om bygglov");
        var url = $"https://www.bjurholm.se/bygglov/{Guid.NewGuid():N}";
        var response = await editor.PostAsJsonAsync("/api/directory/units",
            UnitBody("2403", Unique("Bygglov"), eServices: [new { name, url }]));
        await EnsureAsync(response, HttpStatusCode.Created);
        var unit = await ReadAsync<Switchboard.Directory.Unit>(response);
        return (unit.Id, name, url);
    }

    public async Task<AnswerEntry> AnswerAsync(string text = "Ansök om bygglov i e-tjänsten; handläggningen tar upp till tio veckor.")
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        return await CreateAsync(editor, Body("2403", Unique("Hur söker jag bygglov?"), text));
    }

    public static Task<GuidanceView> SendAsync(OperatorClient op, SendGuidanceRequest request) =>
        op.Connection.InvokeAsync<GuidanceView>("SendGuidance", request);

    /// <summary>The next push for the link, skipping others; fails after the driver's patience.</summary>
    public Task<GuidanceView> NextUpdateAsync(Guid id, string status) => NextUpdateAsync(id, g => g.Status == status);

    public async Task<GuidanceView> NextUpdateAsync(Guid id, Func<GuidanceView, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        while (true)
        {
            var update = await Updates.Reader.ReadAsync(timeout.Token);
            if (update.Id == id && wanted(update))
            {
                return update;
            }
        }
    }

    public IReadOnlyList<SimulatedSms> Received(Guid id) => ((GuidanceApp)app).Gateway.Messages.Where(m => m.Reference == id.ToString()).ToList();
}

public sealed class GuidanceTests(GuidanceApp app) : IClassFixture<GuidanceApp>
{
    [Fact]
    public async Task AnAnswersLinkGoesBySmsToTheCallersNumberOnceAndTheOperatorIsToldItWasSent()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        var (op, call) = await world.OperatorWithCallAsync(caller);
        var answer = await world.AnswerAsync();

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));

        Assert.Equal((GuidanceStatuses.Queued, caller, answer.Question, "https://www.umea.se/sophamtning"),
            (queued.Status, queued.Recipient, queued.Title, queued.Link));
        var sent = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        Assert.Equal((1, null), (sent.Attempts, sent.Error));
        var sms = Assert.Single(world.Received(queued.Id));
        Assert.Equal(caller, sms.To);
        Assert.StartsWith(answer.Question + "\n" + "Ansök om bygglov i e-tjänsten", sms.Text, StringComparison.Ordinal);
        Assert.Contains("https://www.umea.se/sophamtning", sms.Text, StringComparison.Ordinal);
        Assert.True(sms.Text.Length <= GuidanceSends.MaxSmsText);

        // The call's event names what was sent, for statistics, and never the number.
        var data = await driver.ScalarAsync<string>("select data::text from call_events where call_id = @id and type = 'link_sent'", new { id = call.Id });
        using var json = System.Text.Json.JsonDocument.Parse(data);
        Assert.Equal(new[] { ("answerId", answer.Id.ToString()), ("channel", "sms") },
            json.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)).OrderBy(p => p.Name));
        Assert.DoesNotContain(caller[3..], data, StringComparison.Ordinal);

        var listed = await op.Connection.InvokeAsync<IReadOnlyList<GuidanceView>>("GetGuidance", call.Id);
        Assert.Equal((queued.Id, GuidanceStatuses.Sent), (Assert.Single(listed).Id, listed[0].Status));
    }

    [Fact]
    public async Task AnEServiceGoesToAnotherMobileNumberTheOperatorTypesWrittenTheSwedishWay()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var (unitId, eService, url) = await world.UnitWithEServiceAsync();

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", UnitId: unitId, EService: eService, To: "073-123 45 67"));

        Assert.Equal("+46731234567", queued.Recipient);
        await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        var sms = Assert.Single(world.Received(queued.Id));
        Assert.Equal(("+46731234567", $"{eService}: {url}\n/Umeåregionens växel"), (sms.To, sms.Text));
        var data = await driver.ScalarAsync<string>("select data::text from call_events where call_id = @id and type = 'link_sent'", new { id = call.Id });
        Assert.Equal($$"""{"unitId": "{{unitId}}", "channel": "sms", "eService": "{{eService}}"}""", data);
    }

    [Fact]
    public async Task AGatewayFailingWith5xxIsTriedAgainWithGrowingPausesUntilItAccepts()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        app.Gateway.FailNext(2, 503);
        var before = app.Gateway.Requests;

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));

        var failedOnce = await world.NextUpdateAsync(queued.Id, g => g.Attempts == 1);
        Assert.Equal(1, failedOnce.Attempts);
        Assert.StartsWith("The SMS gateway failed (503)", failedOnce.Error, StringComparison.Ordinal);
        // The second attempt after RetryInterval, the third only after twice that.
        app.Clock!.Advance(GuidanceApp.RetryInterval);
        await driver.EventuallyAsync(async () => await AttemptsAsync(driver, queued.Id) == 2);
        app.Clock.Advance(GuidanceApp.RetryInterval);
        await app.Service<GuidanceSender>().SendDueAsync(CancellationToken.None);
        Assert.Equal(2, await AttemptsAsync(driver, queued.Id));
        app.Clock.Advance(GuidanceApp.RetryInterval);

        var sent = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        Assert.Equal((3, null), (sent.Attempts, sent.Error));
        Assert.Single(world.Received(queued.Id));
        Assert.Equal(3, app.Gateway.Requests - before);
    }

    [Fact]
    public async Task AGateway4xxIsAFailureWithItsReasonAndIsNotTriedAgain()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        app.Gateway.FailNext(1, 400);
        var before = app.Gateway.Requests;

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));

        var failed = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Failed);
        Assert.Equal((1, "The SMS gateway refused the message (400): Simulated refusal."), (failed.Attempts, failed.Error));
        Assert.NotNull(failed.FailedAt);
        app.Clock!.Advance(GuidanceApp.RetryInterval * 4);
        await app.Service<GuidanceSender>().SendDueAsync(CancellationToken.None);
        Assert.Equal(1, app.Gateway.Requests - before);
        Assert.Empty(world.Received(queued.Id));
        Assert.Equal(GuidanceStatuses.Failed, await driver.ScalarAsync<string>("select status from guidance_sends where id = @id", new { id = queued.Id }));
    }

    [Fact]
    public async Task AGatewayThatKeepsFailingIsGivenUpAfterMaxAttempts()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        app.Gateway.FailNext(100, 502);
        try
        {
            var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));
            await driver.EventuallyAsync(async () => await AttemptsAsync(driver, queued.Id) == 1);
            for (var i = 0; i < GuidanceApp.MaxAttempts; i++)
            {
                app.Clock!.Advance(GuidanceApp.RetryInterval * 4);
                await app.Service<GuidanceSender>().SendDueAsync(CancellationToken.None);
            }

            var failed = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Failed);
            Assert.Equal(GuidanceApp.MaxAttempts, failed.Attempts);
            Assert.StartsWith("The SMS gateway failed (502)", failed.Error, StringComparison.Ordinal);
        }
        finally
        {
            app.Gateway.FailNext(0);
        }
    }

    [Fact]
    public async Task TwoPassesAtOnceRecordOneAttemptAndTheGatewaySendsOnePerReference()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        // Refused once so the row waits for its next attempt; then two passes (a stale leader's and the leader's) at once.
        app.Gateway.FailNext(1, 503);
        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id));
        await driver.EventuallyAsync(async () => await AttemptsAsync(driver, queued.Id) == 1);

        app.Clock!.Advance(GuidanceApp.RetryInterval);
        var sender = app.Service<GuidanceSender>();
        await Task.WhenAll(sender.SendDueAsync(CancellationToken.None), sender.SendDueAsync(CancellationToken.None));

        await driver.EventuallyAsync(async () => await driver.ScalarAsync<string>("select status from guidance_sends where id = @id", new { id = queued.Id }) == "sent");
        Assert.Equal(2, await AttemptsAsync(driver, queued.Id));
        Assert.Single(world.Received(queued.Id));
    }

    [Fact]
    public async Task TheGatewayAcceptsAReferenceOnceAndAnswersARepeatAsADuplicate()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Gateway.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GuidanceApp.GatewayKey);
        var reference = Guid.NewGuid().ToString();
        var body = new { to = "+46701234567", text = "Hej", reference };

        var first = await http.PostAsJsonAsync("/messages", body);
        var again = await http.PostAsJsonAsync("/messages", body);
        using var anonymous = new HttpClient { BaseAddress = new Uri(app.Gateway.BaseUrl) };
        var withoutKey = await anonymous.PostAsJsonAsync("/messages", body with { reference = Guid.NewGuid().ToString() });
        var badNumber = await http.PostAsJsonAsync("/messages", new { to = "0701234567", text = "Hej", reference = Guid.NewGuid().ToString() });

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.UnprocessableEntity),
            (first.StatusCode, again.StatusCode, withoutKey.StatusCode, badNumber.StatusCode));
        var (a, b) = (await first.Content.ReadFromJsonAsync<GatewayReceipt>(), await again.Content.ReadFromJsonAsync<GatewayReceipt>());
        Assert.Equal((a!.Id, false, true), (b!.Id, a.Duplicate, b.Duplicate));
        Assert.Single(app.Gateway.Messages, m => m.Reference == reference);
    }

    private sealed record GatewayReceipt(string Id, string Reference, bool Duplicate);

    [Fact]
    public async Task SendingForACallThatIsNotYoursIsRefusedWithNotYourCallAndNothingIsStored()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (_, call) = await world.OperatorWithCallAsync();
        var other = await driver.OperatorAsync(status: OperatorStatuses.Paused);
        var answer = await world.AnswerAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(other, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id)));
        var listing = await Assert.ThrowsAsync<HubException>(() => other.Connection.InvokeAsync<IReadOnlyList<GuidanceView>>("GetGuidance", call.Id));
        var noCall = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(other, new SendGuidanceRequest(Guid.NewGuid(), "sms", AnswerId: answer.Id)));

        Assert.Equal(HubErrors.NotYourCall, HubErrors.Read(refused.Message)?.Code);
        Assert.Equal(HubErrors.NotYourCall, HubErrors.Read(listing.Message)?.Code);
        Assert.Equal(HubErrors.NotFound, HubErrors.Read(noCall.Message)?.Code);
        Assert.Equal(0, await driver.ScalarAsync<long>("select count(*) from guidance_sends where call_id = @id", new { id = call.Id }));
        Assert.Equal(0, await driver.ScalarAsync<long>("select count(*) from call_events where call_id = @id and type = 'link_sent'", new { id = call.Id }));
    }

    [Theory]
    [InlineData("sms", "12345", "to must be a Swedish mobile number")]
    [InlineData("sms", "090-16 10 00", "to must be a Swedish mobile number")]
    [InlineData("sms", "070-123 45 6x", "to must be a Swedish mobile number")]
    [InlineData("email", null, "to (the e-mail address the caller gives) is required")]
    [InlineData("email", "anna.example.se", "to must be one e-mail address")]
    [InlineData("email", "anna@example.se\r\nBcc: spy@example.org", "to must be one line")]
    [InlineData("fax", "070-123 45 67", "channel must be \"sms\" or \"email\"")]
    public async Task ABadRecipientOrChannelIsRefusedAsInvalidAndNothingIsStored(string channel, string? to, string expected)
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, channel, AnswerId: answer.Id, To: to)));

        var error = HubErrors.Read(refused.Message);
        Assert.Equal(HubErrors.Invalid, error?.Code);
        Assert.StartsWith(expected, error?.Text, StringComparison.Ordinal);
        Assert.Equal(0, await driver.ScalarAsync<long>("select count(*) from guidance_sends where call_id = @id", new { id = call.Id }));
    }

    [Fact]
    public async Task AWithheldOrLandlineCallerNumberNeedsANumberAndAMissingLinkIsNotFound()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync(caller: "+4690123456");
        var (unitId, _, _) = await world.UnitWithEServiceAsync();
        var answer = await world.AnswerAsync();

        var landline = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id)));
        var noSuchService = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(op,
            new SendGuidanceRequest(call.Id, "sms", UnitId: unitId, EService: "Finns inte", To: "0701234567")));
        var noSuchAnswer = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(op,
            new SendGuidanceRequest(call.Id, "sms", AnswerId: Guid.NewGuid(), To: "0701234567")));
        var both = await Assert.ThrowsAsync<HubException>(() => GuidanceWorld.SendAsync(op,
            new SendGuidanceRequest(call.Id, "sms", AnswerId: answer.Id, UnitId: unitId, EService: "x")));

        Assert.Equal((HubErrors.Invalid, HubErrors.NotFound, HubErrors.NotFound, HubErrors.Invalid),
            (HubErrors.Read(landline.Message)?.Code, HubErrors.Read(noSuchService.Message)?.Code, HubErrors.Read(noSuchAnswer.Message)?.Code,
             HubErrors.Read(both.Message)?.Code));
        Assert.DoesNotContain("90123456", landline.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEmailWaitsInTheOutboxWhileNoMailServerIsSet()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: " anna@example.se "));
        await app.Service<GuidanceSender>().SendDueAsync(CancellationToken.None);

        Assert.Equal(("anna@example.se", GuidanceStatuses.Queued), (queued.Recipient, queued.Status));
        Assert.Equal(0, await AttemptsAsync(driver, queued.Id));
        var body = await driver.ScalarAsync<string>("select text from guidance_sends where id = @id", new { id = queued.Id });
        Assert.Contains(answer.Answer, body, StringComparison.Ordinal);
        Assert.Contains("https://www.umea.se/sophamtning", body, StringComparison.Ordinal);
    }

    private static Task<int> AttemptsAsync(RoutingDriver driver, Guid id) =>
        driver.ScalarAsync<int>("select attempts from guidance_sends where id = @id", new { id });
}
