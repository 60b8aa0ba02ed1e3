using System.Net;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;

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
        Assert.Equal("Healthy", await client.GetStringAsync("/health/ready"));
    }
}
