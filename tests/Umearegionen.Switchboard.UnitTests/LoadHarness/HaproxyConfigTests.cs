using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class HaproxyConfigTests
{
    private static readonly string Config = HaproxyConfig.Generate(56500, [new BalancedNode("node1", 56501), new BalancedNode("node2", 56502)]);

    private static string[] Lines => Config.Split('\n', StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("mode http")]
    [InlineData("balance roundrobin")]
    [InlineData("cookie SWITCHBOARD_NODE insert indirect nocache httponly")]
    [InlineData("option redispatch")]
    [InlineData("retries 2")]
    [InlineData("option httpchk GET /health/ready")]
    [InlineData("http-check expect status 200")]
    [InlineData("timeout connect 2s")]
    [InlineData("timeout client 60s")]
    [InlineData("timeout server 60s")]
    [InlineData("timeout tunnel 1h")]
    [InlineData("option forwardfor")]
    [InlineData("bind 127.0.0.1:56500")]
    public void TheConfigurationHasEachSetting(string line)
    {
        Assert.Contains(line, Lines);
    }

    [Fact]
    public void EachNodeIsAServerCheckedEverySecondWithItsOwnCookie()
    {
        Assert.Contains("server node1 127.0.0.1:56501 check inter 1s fall 2 rise 2 cookie node1", Lines);
        Assert.Contains("server node2 127.0.0.1:56502 check inter 1s fall 2 rise 2 cookie node2", Lines);
        Assert.Equal(2, Lines.Count(l => l.StartsWith("server ", StringComparison.Ordinal)));
    }

    [Fact]
    public void OnlyLoopbackIsBoundAndTheLogLeavesTheQueryStringOut()
    {
        Assert.All(Lines.Where(l => l.StartsWith("bind ", StringComparison.Ordinal)), l => Assert.StartsWith("bind 127.0.0.1:", l));
        // %HP is the path alone: a WebSocket's query may carry an access token.
        Assert.Contains(Lines, l => l.StartsWith("log-format", StringComparison.Ordinal) && l.Contains("%HP") && !l.Contains("%HU") && !l.Contains("%r"));
    }

    [Fact]
    public void ALogLineIsReadBackAsTheClientAndTheNodeThatServedIt()
    {
        var request = HaproxyConfig.ParseLogLine("hub \"{op17}\" node2 --NI 200 POST /hubs/switchboard/negotiate");

        Assert.Equal(new HaproxyConfig.HubRequest("op17", "node2", "--NI", 200, "/hubs/switchboard/negotiate"), request);
        Assert.True(request!.Negotiation);
        Assert.Null(HaproxyConfig.ParseLogLine("[NOTICE]   (1) : haproxy version is 2.6.12"));
    }

    [Fact]
    public void AWebSocketOnAnotherNodeThanItsNegotiationIsABrokenPair()
    {
        HaproxyConfig.HubRequest R(string client, string node, string path) => new(client, node, "--VN", path.EndsWith("negotiate") ? 200 : 101, path);
        var requests = new[]
        {
            R("op1", "node1", "/hubs/switchboard/negotiate"), R("op2", "node2", "/hubs/switchboard/negotiate"),
            R("op1", "node1", "/hubs/switchboard"), R("op2", "node1", "/hubs/switchboard"),
            // op1 reconnects after node1 died: negotiated and connected on node2.
            R("op1", "node2", "/hubs/switchboard/negotiate"), R("op1", "node2", "/hubs/switchboard"),
            R("dash1", "node2", "/hubs/switchboard/negotiate"), R("dash1", "node2", "/hubs/switchboard"),
            // dash2 negotiated on node2, which went down before its WebSocket: haproxy redispatched it.
            R("dash2", "node2", "/hubs/switchboard/negotiate"), new("dash2", "node1", "--DI", 404, "/hubs/switchboard"),
        };

        var check = HaproxyConfig.CheckStickiness(requests);

        Assert.Equal(5, check.Pairs);
        Assert.Equal(1, check.Broken);
        Assert.Equal(1, check.MovedFromDownNode);
        Assert.Contains("op2", check.Examples.Single());
        Assert.Equal(2, check.FirstNode[("operators", "node1")]);
        Assert.Equal(1, check.FirstNode[("dashboards", "node2")]);
    }
}
