using Umearegionen.Switchboard.IntegrationTests.PersonalData;
using Umearegionen.Switchboard.Platform.Cluster;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Guidance;

/// <summary>
/// Two nodes in-process on one database, both configured with the same SMS gateway (a real HTTP listener):
/// only the leader delivers the outbox, so a link queued on the other node reaches the gateway once.
/// </summary>
public sealed class GuidanceLeaderTests(GuidanceLeaderTests.TwoNodes nodes) : IClassFixture<GuidanceLeaderTests.TwoNodes>
{
    public sealed class Node(string database, string name, string gatewayUrl) : SwitchboardApp(database)
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Cluster:NodeName"] = name,
            ["Sms:BaseUrl"] = gatewayUrl,
            ["Sms:RetryInterval"] = "00:00:01",
        };
    }

    public sealed class TwoNodes : IAsyncLifetime
    {
        public SmsGatewaySimulator Gateway { get; private set; } = null!;

        public Node A { get; private set; } = null!;

        public Node B { get; private set; } = null!;

        private string _database = "";

        public async Task InitializeAsync()
        {
            Gateway = SmsGatewaySimulator.Start();
            _database = await TestPostgres.CreateDatabaseAsync();
            A = new Node(_database, "node-a", Gateway.BaseUrl);
            await ((IAsyncLifetime)A).InitializeAsync();
            B = new Node(_database, "node-b", Gateway.BaseUrl);
            await ((IAsyncLifetime)B).InitializeAsync();
        }

        public async Task DisposeAsync()
        {
            await ((IAsyncLifetime)B).DisposeAsync();
            await ((IAsyncLifetime)A).DisposeAsync();
            await TestPostgres.DropDatabaseAsync(_database);
            await Gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task ALinkQueuedOnTheNodeThatDoesNotLeadIsSentOnceByTheLeader()
    {
        await using var driver = new RoutingDriver(nodes.B);
        var world = new PersonalDataWorld(nodes.B, driver);
        await driver.EventuallyAsync(() => Task.FromResult(nodes.A.Service<ClusterNode>().IsLeader));
        Assert.False(nodes.B.Service<ClusterNode>().IsLeader);
        var caller = PersonalDataWorld.NewCaller();
        var op = await driver.OperatorAsync();
        var call = await world.ConnectedCallAsync(op, caller);
        var (unitId, eService, _) = await GuidanceWorld.UnitWithEServiceAsync(nodes.B);
        var before = nodes.Gateway.Requests;

        var queued = await op.Connection.InvokeAsync<GuidanceView>("SendGuidance", new SendGuidanceRequest(call.Id, "sms", UnitId: unitId, EService: eService));

        await driver.EventuallyAsync(async () =>
            await driver.ScalarAsync<string>("select status from guidance_sends where id = @id", new { id = queued.Id }) == GuidanceStatuses.Sent);
        // Both nodes' senders keep running for a few of their ticks: still one request.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, nodes.Gateway.Requests - before);
        var sms = Assert.Single(nodes.Gateway.Messages, m => m.Reference == queued.Id.ToString());
        Assert.Equal(caller, sms.To);
        Assert.Equal(1, await driver.ScalarAsync<int>("select attempts from guidance_sends where id = @id", new { id = queued.Id }));
    }
}
