using Umearegionen.Switchboard.Guidance;
using Umearegionen.Switchboard.IntegrationTests.PersonalData;

namespace Umearegionen.Switchboard.IntegrationTests.Guidance;

/// <summary>The service on a fake clock with a real SMTP server (<see cref="SmtpTestServer"/>) on a loopback port as Smtp:Host.</summary>
public sealed class GuidanceEmailApp : PersonalDataApp
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);
    public const int MaxAttempts = 3;
    public const string From = "vaxeln@umearegionen.se";

    public SmtpTestServer Smtp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpTestServer.StartAsync();
        await base.InitializeAsync();
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = $"{Smtp.Port}",
        ["Smtp:From"] = From,
        ["Smtp:RetryInterval"] = RetryInterval.ToString(),
        ["Smtp:MaxAttempts"] = $"{MaxAttempts}",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// E-mail guidance end to end: the operator's SendGuidance (the .NET SignalR client), the leader's sender
/// speaking SMTP to a real server on a socket, and the status pushed back to the operator (GuidanceUpdated).
/// </summary>
public sealed class GuidanceEmailTests(GuidanceEmailApp app) : IClassFixture<GuidanceEmailApp>
{
    private static string NewAddress(string who = "anna") => $"{who}.{Guid.NewGuid():N}@example.se";

    [Fact]
    public async Task AnAnswerGoesByEmailToTheAddressTheCallerGaveWithTheQuestionAsSubjectAndTheWholeAnswerAndLink()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync("Ansök om bygglov i e-tjänsten; handläggningen tar upp till tio veckor. Ritningar laddas upp som PDF.");
        var address = NewAddress();

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: address));

        Assert.Equal((GuidanceStatuses.Queued, "email", address), (queued.Status, queued.Channel, queued.Recipient));
        var sent = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        Assert.Equal((1, null, call.Id), (sent.Attempts, sent.Error, sent.CallId));
        Assert.NotNull(sent.SentAt);
        var mail = await app.Smtp.NextAsync(address);
        Assert.Equal([address], mail.Recipients);
        Assert.Equal(GuidanceEmailApp.From, mail.From);
        Assert.Equal("Länk från Umeåregionens växel: " + answer.Question, mail.Subject);
        Assert.Equal(
            $"Hej!\n\nHär är svaret som du fick när du ringde växeln:\n\n{answer.Question}\n\n{answer.Answer}\n\n{queued.Link}\n\n/Umeåregionens växel",
            mail.Body);
        Assert.Equal("https://www.umea.se/sophamtning", queued.Link);
        Assert.Single(app.Smtp.Received, m => m.Recipients.Contains(address));

        var listed = await op.Connection.InvokeAsync<IReadOnlyList<GuidanceView>>("GetGuidance", call.Id);
        Assert.Equal((queued.Id, GuidanceStatuses.Sent, 1), (Assert.Single(listed).Id, listed[0].Status, listed[0].Attempts));
    }

    [Fact]
    public async Task AnEServicesLinkGoesByEmailWithItsNameAsSubjectAndTheLinkInTheText()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var (unitId, eService, url) = await world.UnitWithEServiceAsync();
        var address = NewAddress("per");

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", UnitId: unitId, EService: eService, To: address));

        await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        var mail = await app.Smtp.NextAsync(address);
        Assert.Equal([address], mail.Recipients);
        Assert.Equal("Länk från Umeåregionens växel: " + eService, mail.Subject);
        Assert.Equal($"Hej!\n\nHär är länken till e-tjänsten som du fick när du ringde växeln:\n\n{eService}\n{url}\n\n/Umeåregionens växel", mail.Body);
    }

    [Fact]
    public async Task AnAddressTheMailServerRefusesWith5xxIsGivenUpAtOnceAndNeverTriedAgain()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        var address = NewAddress("finns.inte");
        app.Smtp.ReplyToRecipient(address, 550);

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: address));

        var failed = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Failed);
        Assert.Equal((1, "The mail server refused the address (550 MailboxUnavailable)."), (failed.Attempts, failed.Error));
        Assert.NotNull(failed.FailedAt);
        var asked = app.Smtp.RecipientCommands;
        app.Clock!.Advance(GuidanceEmailApp.RetryInterval * 8);
        await app.Service<GuidanceSender>().SendDueAsync(CancellationToken.None);
        Assert.Equal(asked, app.Smtp.RecipientCommands);
        Assert.DoesNotContain(app.Smtp.Received, m => m.Recipients.Contains(address));
        var listed = await op.Connection.InvokeAsync<IReadOnlyList<GuidanceView>>("GetGuidance", call.Id);
        Assert.Equal((GuidanceStatuses.Failed, 1), (Assert.Single(listed).Status, listed[0].Attempts));
    }

    // SmtpClient reports 450 and 452 to RCPT TO as a failed recipient (as it does 550), 451 as a failed command.
    [Theory]
    [InlineData(450, "The mail server could not take the address now (450 MailboxBusy).")]
    [InlineData(451, "The mail server failed (451 LocalErrorInProcessing).")]
    [InlineData(452, "The mail server could not take the address now (452 InsufficientStorage).")]
    public async Task AnAddressTheMailServerDefersWith4xxIsTriedAgainAfterTheRetryIntervalAndSentOnceAccepted(int code, string error)
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        var address = NewAddress("full.inkorg");
        app.Smtp.ReplyToRecipient(address, code);

        var queued = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: address));

        var deferred = await world.NextUpdateAsync(queued.Id, g => g.Attempts == 1);
        Assert.Equal((GuidanceStatuses.Queued, error), (deferred.Status, deferred.Error));
        app.Smtp.ReplyToRecipient(address, 0);
        app.Clock!.Advance(GuidanceEmailApp.RetryInterval);

        var sent = await world.NextUpdateAsync(queued.Id, GuidanceStatuses.Sent);
        Assert.Equal((2, null), (sent.Attempts, sent.Error));
        Assert.Equal([address], (await app.Smtp.NextAsync(address)).Recipients);
        Assert.Single(app.Smtp.Received, m => m.Recipients.Contains(address));
    }

    [Fact]
    public async Task AMailServerRefusingTheConnectionIsTriedAgainUntilItListensAndGivenUpAfterMaxAttemptsIfItNeverDoes()
    {
        await using var driver = new RoutingDriver(app);
        var world = new GuidanceWorld(app, driver);
        var (op, call) = await world.OperatorWithCallAsync();
        var answer = await world.AnswerAsync();
        var (back, never) = (NewAddress("tillbaka"), NewAddress("aldrig"));
        await app.Smtp.StopAsync();
        try
        {
            var first = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: back));
            var refused = await world.NextUpdateAsync(first.Id, g => g.Attempts == 1);
            Assert.Equal((GuidanceStatuses.Queued, "The mail server could not be reached: ConnectionRefused."), (refused.Status, refused.Error));

            await app.Smtp.RestartAsync();
            app.Clock!.Advance(GuidanceEmailApp.RetryInterval);
            var sent = await world.NextUpdateAsync(first.Id, GuidanceStatuses.Sent);
            Assert.Equal(2, sent.Attempts);
            Assert.Equal([back], (await app.Smtp.NextAsync(back)).Recipients);

            await app.Smtp.StopAsync();
            var second = await GuidanceWorld.SendAsync(op, new SendGuidanceRequest(call.Id, "email", AnswerId: answer.Id, To: never));
            await world.NextUpdateAsync(second.Id, g => g.Attempts == 1);
            for (var i = 1; i < GuidanceEmailApp.MaxAttempts; i++)
            {
                // The waits double: 10 s, 20 s, ...
                app.Clock.Advance(GuidanceEmailApp.RetryInterval * (1 << (i - 1)));
                await world.NextUpdateAsync(second.Id, g => g.Attempts == i + 1);
            }

            var failed = Assert.Single(await op.Connection.InvokeAsync<IReadOnlyList<GuidanceView>>("GetGuidance", call.Id), g => g.Id == second.Id);
            Assert.Equal((GuidanceStatuses.Failed, GuidanceEmailApp.MaxAttempts, "The mail server could not be reached: ConnectionRefused."),
                (failed.Status, failed.Attempts, failed.Error));
        }
        finally
        {
            await app.Smtp.RestartAsync();
        }
    }
}
