namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class HealthTests(HealthTests.App app) : IClassFixture<HealthTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override bool UseDatabaseProxy => true;
    }

    [Fact]
    public async Task ReadyIsUnhealthyWhileTheDatabaseIsDownAndHealthyWhenItReturns()
    {
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        app.Proxy.Cut();
        try
        {
            var down = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            app.Proxy.Restore();
        }

        // The pool drops the broken connections and opens new ones.
        var status = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 20 && status != HttpStatusCode.OK; i++)
        {
            status = (await client.GetAsync("/health/ready")).StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(250);
            }
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task HealthEndpointsNeedNoToken()
    {
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("application/json", ready.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadinessNamesTheNodeAndThatItLeadsWhenAlone()
    {
        var client = app.CreateClient();

        using var body = JsonDocument.Parse(await client.GetStringAsync("/health/ready"));
        var root = body.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("node").GetString()));
        Assert.True(root.GetProperty("leader").GetBoolean());
        Assert.Equal(1, root.GetProperty("nodesAlive").GetInt32());
        var postgres = Assert.Single(root.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "postgresql");
        Assert.Equal("Healthy", postgres.GetProperty("status").GetString());
        // No Redis configured: one node, no backplane to check.
        Assert.DoesNotContain(root.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "redis");
    }
}
