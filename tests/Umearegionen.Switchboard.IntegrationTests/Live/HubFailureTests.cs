namespace Umearegionen.Switchboard.IntegrationTests.Live;

/// <summary>A failure the service did not foresee reaches the client as server-error, not as SignalR's text without a code.</summary>
public sealed class HubFailureTests(HubFailureTests.App app) : IClassFixture<HubFailureTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override bool UseDatabaseProxy => true;
    }

    [Fact]
    public async Task InvocationThatFailsBecauseTheDatabaseIsDownIsAServerError()
    {
        await using var connection = app.HubConnection(await app.TokenForAsync(Roles.Operator, "2403"));
        await connection.StartAsync();
        await connection.InvokeAsync<QueueSnapshot>("GetQueue");

        app.Proxy.Cut();
        try
        {
            var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<QueueSnapshot>("GetQueue"));

            Assert.StartsWith("An unexpected error occurred invoking 'GetQueue' on the server. HubException: server-error: ", error.Message);
            Assert.Equal(HubErrors.ServerError, HubErrors.Read(error.Message)?.Code);
        }
        finally
        {
            app.Proxy.Restore();
        }
    }
}
