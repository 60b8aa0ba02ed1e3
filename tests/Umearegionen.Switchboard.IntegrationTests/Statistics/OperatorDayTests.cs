namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>An operator's own figures for today, with after-call work on (15 s).</summary>
public sealed class OperatorDayTests(AfterCallWorkApp app) : IClassFixture<AfterCallWorkApp>
{
    private HttpClient ClientOf(OperatorClient op)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", op.Token);
        return client;
    }

    [Fact]
    public async Task OperatorSeesTheirOwnCallsAverageHandleTimeWithAfterCallWorkAndShareTransferred()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var before = await ClientOf(op).GetFromJsonAsync<OperatorDay>("/api/statistics/my-day");
        Assert.Equal(0, before!.CallsHandled);
        Assert.Null(before.AverageHandleSeconds);
        Assert.Null(before.TransferredShare);

        // Answered after 40 s on the call; the after-call work runs its 15 s.
        var answered = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(answered.CallId);
        app.Clock!.Advance(TimeSpan.FromSeconds(40));
        await op.AnswerAsync(answered.CallId);
        app.Clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(OperatorStatuses.WrapUp, (await op.Next(op.States)).Status);
        Assert.Equal(OperatorStatuses.Available, (await op.Next(op.States)).Status);

        // Transferred after 20 s; the operator ends the after-call work after 5 s.
        var transferred = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(transferred.CallId);
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(
            transferred.CallId, "blind", new Destination("number", null, "+4690161000", "Umeå kommun växel"), "transfer-number"));
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        await op.Connection.InvokeAsync<OperatorState>("EndAfterCallWork");

        // Another operator's call is not theirs.
        await op.SetStatusAsync(OperatorStatuses.Paused, "Lunch");
        var other = await world.OperatorAsync();
        var theirs = await world.CallAsync();
        await other.NextOfferAsync();
        await other.AcceptAsync(theirs.CallId);
        await other.AnswerAsync(theirs.CallId);

        var day = await ClientOf(op).GetFromJsonAsync<OperatorDay>("/api/statistics/my-day");

        Assert.Equal(2, day!.CallsHandled);
        Assert.Equal(40, day.AverageHandleSeconds); // (40 + 15 + 20 + 5) / 2
        Assert.Equal(1, day.Transferred);
        Assert.Equal(0.5, day.TransferredShare);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        Assert.Equal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), zone).DateTime), day.Date);
        Assert.Equal(1, (await ClientOf(other).GetFromJsonAsync<OperatorDay>("/api/statistics/my-day"))!.CallsHandled);
    }

    [Theory]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Administrator)]
    [InlineData(Roles.Editor)]
    public async Task OnlyOperatorsHaveADayOfTheirOwn(string role)
    {
        var client = await RoutingDriver.ClientAsync(app, role, role == Roles.Editor ? "2403" : null);

        var response = await client.GetAsync("/api/statistics/my-day");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
