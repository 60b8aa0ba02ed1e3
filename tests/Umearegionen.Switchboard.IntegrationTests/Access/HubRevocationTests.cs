using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>
/// The hub's own check, on its own: this app runs without the check of open connections, so a revoked
/// operator's connection stays open until they invoke a hub method.
/// </summary>
public sealed class HubRevocationTests(HubRevocationTests.App app) : IClassFixture<HubRevocationTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                var check = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RevokedConnections));
                services.Remove(check);
            });
        }
    }

    [Fact]
    public async Task HubInvocationOfADisabledOperatorIsRefusedWithAccountRevokedAndTheConnectionCloses()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        await using var connection = app.HubConnection(app.TokenFor(account));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await connection.StartAsync();
        await connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Paused, "test"));
        var admin = await app.ClientForAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{account.Id}/disable", null)).StatusCode);
        await Task.Delay(300);
        Assert.Equal(HubConnectionState.Connected, connection.State);

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Available)));
        Assert.Contains(HubErrors.AccountRevoked + ": your session has ended", refused.Message, StringComparison.Ordinal);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task HubRefusesToConnectWithARevokedToken()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var token = app.TokenFor(account);
        var admin = await app.ClientForAsync(Roles.Administrator);
        await admin.PostAsync($"/api/accounts/{account.Id}/disable", null);

        await using var connection = app.HubConnection(token);

        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
    }
}
