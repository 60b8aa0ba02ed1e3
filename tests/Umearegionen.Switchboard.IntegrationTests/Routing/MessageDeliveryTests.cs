using Umearegionen.Switchboard.IntegrationTests.Guidance;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// Messages taken for staff, delivered by the leader over SMTP to a real server on a socket
/// (<see cref="SmtpTestServer"/>): a recipient refused for good is given up at once, one deferred is tried again.
/// </summary>
public sealed class MessageDeliveryTests(GuidanceEmailApp app) : IClassFixture<GuidanceEmailApp>
{
    private sealed record MessageRow(DateTime? SentAt, int Attempts, string? LastError);

    private static async Task<Guid> TakeMessageAsync(RoutingDriver world, string recipient)
    {
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "unit", null, "Bygglovsenheten", recipient, "Ring tillbaka om ritningarna.", "message", "Stina"));
        return call.CallId;
    }

    private async Task<MessageRow> RowAsync(Guid callId)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return await conn.QuerySingleAsync<MessageRow>(
            "select sent_at as SentAt, attempts as Attempts, last_error as LastError from messages where call_id = @callId", new { callId });
    }

    [Fact]
    public async Task AMessageToAnAddressTheMailServerRefusesWith5xxIsGivenUpAfterOneAttempt()
    {
        await using var world = new RoutingDriver(app);
        var recipient = $"finns.inte.{Guid.NewGuid():N}@example.se";
        app.Smtp.ReplyToRecipient(recipient, 550);
        var asked = app.Smtp.RecipientCommands;

        var callId = await TakeMessageAsync(world, recipient);

        await world.EventuallyAsync(async () => (await RowAsync(callId)).Attempts > 0);
        var row = await RowAsync(callId);
        Assert.Equal((null, GuidanceEmailApp.MaxAttempts, "The mail server refused the address (550 MailboxUnavailable)."),
            (row.SentAt, row.Attempts, row.LastError));

        // Never asked again, however long the outbox runs.
        var afterRefusal = app.Smtp.RecipientCommands;
        Assert.True(afterRefusal > asked);
        app.Clock!.Advance(GuidanceEmailApp.RetryInterval * 8);
        await app.Service<MessageSender>().SendDueAsync(CancellationToken.None);
        Assert.Equal(afterRefusal, app.Smtp.RecipientCommands);
        Assert.DoesNotContain(app.Smtp.Received, m => m.Recipients.Contains(recipient));
    }

    [Fact]
    public async Task AMessageToAnAddressTheMailServerDefersWith4xxIsTriedAgainAndSentOnceAccepted()
    {
        await using var world = new RoutingDriver(app);
        var recipient = $"full.inkorg.{Guid.NewGuid():N}@example.se";
        app.Smtp.ReplyToRecipient(recipient, 452);

        var callId = await TakeMessageAsync(world, recipient);

        await world.EventuallyAsync(async () => (await RowAsync(callId)).Attempts > 0);
        var deferred = await RowAsync(callId);
        Assert.Equal((null, 1, "The mail server could not take the address now (452 InsufficientStorage)."),
            (deferred.SentAt, deferred.Attempts, deferred.LastError));

        app.Smtp.ReplyToRecipient(recipient, 0);
        app.Clock!.Advance(GuidanceEmailApp.RetryInterval);
        await app.Service<MessageSender>().SendDueAsync(CancellationToken.None);

        Assert.Contains("Ring tillbaka om ritningarna.", (await app.Smtp.NextAsync(recipient)).Body);
        await world.EventuallyAsync(async () => (await RowAsync(callId)).SentAt is not null);
        var sent = await RowAsync(callId);
        Assert.Null(sent.LastError);
    }
}
