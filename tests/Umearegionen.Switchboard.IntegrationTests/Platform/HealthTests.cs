namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class HealthTests(HealthTests.App app) : IClassFixture<HealthTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override bool UseDatabaseProxy => true;
    }

    /// <summary>
    /// Readiness answers from the node's own statements while they answer (docs/decisions/0028); a node whose
    /// database is gone is unready within a few seconds all the same, and ready again when it returns.
    /// </summary>
    [Fact]
    public async Task ReadyIsUnhealthyWithinSecondsWhileTheDatabaseIsDownAndHealthyWhenItReturns()
    {
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        app.Proxy.Cut();
        try
        {
            var unready = await UntilAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.True(unready < Health.AnsweredWithin + TimeSpan.FromSeconds(2), $"Unready only after {unready}.");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            app.Proxy.Restore();
        }

        // The pool drops the broken connections and opens new ones; the node registers again.
        await UntilAsync(client, HttpStatusCode.OK);
    }

    /// <summary>
    /// A database that hangs (no error, no answer): the node's tick stops answering, readiness asks itself
    /// and the check's timeout (3 s) makes it unready.
    /// </summary>
    [Fact]
    public async Task ReadyIsUnhealthyWithinSecondsWhileTheDatabaseHangs()
    {
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        app.Proxy.Freeze();
        try
        {
            var unready = await UntilAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.True(unready < Health.AnsweredWithin + TimeSpan.FromSeconds(5), $"Unready only after {unready}.");
        }
        finally
        {
            app.Proxy.Thaw();
        }

        await UntilAsync(client, HttpStatusCode.OK);
    }

    /// <summary>
    /// The load balancer checks every node every second: while the node's own statement (its tick, every
    /// second) has answered within <see cref="Health.AnsweredWithin"/>, the check runs no statement of its own.
    /// </summary>
    [Fact]
    public async Task ReadinessAsksNoStatementOfItsOwnWhileTheNodesTickAnswers()
    {
        var client = app.CreateClient();
        await UntilAsync(client, HttpStatusCode.OK);
        var health = app.Service<Health.HealthDataSource>();
        var before = health.Asked;

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
            await Task.Delay(200);
        }

        // A tick late by more than a second on a loaded machine makes one check ask; not most of them.
        Assert.True(health.Asked - before <= 2, $"{health.Asked - before} of 10 checks asked PostgreSQL.");
    }

    /// <summary>
    /// Polls readiness until it answers <paramref name="wanted"/> (at most 20 s); says how long that took.
    /// Ready means also leading again, alone, as the node does once it has registered and ticked and the
    /// session it lost has ended on the server.
    /// </summary>
    private static async Task<TimeSpan> UntilAsync(HttpClient client, HttpStatusCode wanted)
    {
        var watch = Stopwatch.StartNew();
        while (!await AnswersAsync(client, wanted))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"Readiness never answered {wanted}.");
            await Task.Delay(100);
        }

        return watch.Elapsed;
    }

    private static async Task<bool> AnswersAsync(HttpClient client, HttpStatusCode wanted)
    {
        var response = await client.GetAsync("/health/ready");
        if (response.StatusCode != wanted)
        {
            return false;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return wanted != HttpStatusCode.OK
            || (body.RootElement.GetProperty("leader").GetBoolean() && body.RootElement.GetProperty("nodesAlive").GetInt32() == 1);
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
