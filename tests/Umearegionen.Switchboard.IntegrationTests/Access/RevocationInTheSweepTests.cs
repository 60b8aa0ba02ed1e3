using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>
/// The connection check in the leader's sweep (docs/decisions/0027), on its own: this app runs without the node's
/// own check loop, so only the sweep's transaction reads the connected accounts' stamps.
/// </summary>
public sealed class RevocationInTheSweepTests(RevocationInTheSweepTests.App app) : IClassFixture<RevocationInTheSweepTests.App>
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
    public async Task ConnectionOfAnOperatorDisabledWithoutThisNodeBeingToldIsClosedByTheLeadersSweep()
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

        // As if another node disabled the account and its signal never came: only the database knows.
        await using (var db = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await db.ExecuteAsync("update accounts set disabled = true, security_stamp = 'changed-elsewhere' where id = @id", new { id = account.Id });
        }

        // The sweep runs every Routing:SweepInterval (1 s); the check used to be Access:RevocationCheckInterval (2 s).
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task HubInvocationsOfAConnectedOperatorReadNoStampOfTheirOwnWhileTheLeadersSweepChecksTheConnections()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        await using var connection = app.HubConnection(app.TokenFor(account));
        await connection.StartAsync();
        var connectedAt = Stopwatch.GetTimestamp();
        var sessions = app.Service<Sessions>();
        await ServiceCluster.EventuallyAsync(() => Task.FromResult(sessions.SinceConnectionsChecked() < Stopwatch.GetElapsedTime(connectedAt)),
            TimeSpan.FromSeconds(5), "a sweep checked the connections since this one opened");
        var before = sessions.StampReads;

        // Over twice Access:RevocationCheckInterval (2 s): a stamp is known for that long at most, so without the
        // sweep reading it every second these invocations would read it again at least twice.
        for (var i = 0; i < 7; i++)
        {
            await connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(i % 2 == 0 ? OperatorStatuses.Paused : OperatorStatuses.Available, "test"));
            await Task.Delay(700);
        }

        Assert.Equal(before, sessions.StampReads);
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }
}
