namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class HubAccessTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task SignedInOperatorConnectsToTheHub()
    {
        await using var connection = app.HubConnection(await app.TokenForAsync(Roles.Operator, "2403"));

        await connection.StartAsync();

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task HubRefusesAConnectionWithoutAValidToken()
    {
        await using var connection = app.HubConnection("not-a-token");

        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
    }
}
