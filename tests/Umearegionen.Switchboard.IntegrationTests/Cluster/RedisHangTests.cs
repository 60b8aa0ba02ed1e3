namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Redis that hangs rather than goes away (a stalled server, a network that drops packets): the
/// connection looks up, and each command times out (after 2 s) instead of failing at once. The node
/// must then serve its own clients as it does when Redis is down.
/// </summary>
public sealed class RedisHangTests(RedisHangTests.App app) : IClassFixture<RedisHangTests.App>
{
    public sealed class App : SwitchboardApp
    {
        public RedisServer Redis { get; private set; } = null!;

        /// <summary>Between the service and Redis: <see cref="TcpProxy.Freeze"/> makes Redis hang.</summary>
        public TcpProxy RedisProxy { get; private set; } = null!;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{RedisProxy.Port}",
        };

        public override async Task InitializeAsync()
        {
            Redis = await RedisServer.StartAsync(Path.Combine(Path.GetTempPath(), "switchboard-cluster-tests", "hang-" + Guid.NewGuid().ToString("N")[..8]));
            RedisProxy = new TcpProxy("127.0.0.1", Redis.Port);
            await base.InitializeAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (RedisProxy is not null)
            {
                await RedisProxy.DisposeAsync();
            }

            if (Redis is not null)
            {
                await Redis.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WhileRedisHangsAnOfferStillReachesTheOperatorOnTheNodeThatMadeIt()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        app.RedisProxy.Freeze();
        try
        {
            var call = await world.CallAsync();
            Assert.Equal(CallStates.Offered, call.State);

            // Through Redis the push times out; then it goes to this node's clients.
            Assert.Equal(call.CallId, (await op.NextOfferAsync()).Call.Id);
        }
        finally
        {
            app.RedisProxy.Thaw();
        }
    }

    [Fact]
    public async Task WhileRedisHangsTheCallerHangingUpIsStillRecordedAndTheOperatorTold()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        app.RedisProxy.Freeze();
        try
        {
            // The platform's report answers (the offer's withdrawal is pushed to the operator within it).
            var receipt = await (await world.PlatformAsync()).ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);

            Assert.Equal(CallStates.Abandoned, receipt.State);
            Assert.Equal(call.CallId, (await op.Next(op.Withdrawn)).CallId);
        }
        finally
        {
            app.RedisProxy.Thaw();
        }
    }
}
