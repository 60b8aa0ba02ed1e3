using System.Net.Sockets;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class StartupTests
{
    private sealed class UnreachableDatabaseApp : SwitchboardApp
    {
        private static readonly int NothingListens = FreePort();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Switchboard"] =
                $"Host=127.0.0.1;Port={NothingListens};Username=switchboard;Password=x;Database=switchboard;Timeout=1",
            ["Database:StartupRetryFor"] = "00:00:02",
        };

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }

    [Fact]
    public async Task ServiceRetriesThenStopsWithAMessageSayingWhatToCheckWhenTheDatabaseCannotBeReached()
    {
        var app = new UnreachableDatabaseApp();
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            var message = error.ToString();
            Assert.Contains("Could not reach PostgreSQL", message);
            Assert.Contains("ConnectionStrings:Switchboard", message);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Fact]
    public async Task ServiceRefusesToStartWithoutASigningKeyAndNamesTheSetting()
    {
        var app = new NoSigningKeyApp();
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains("Access:SigningKey", error.ToString());
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class NoSigningKeyApp : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Access:SigningKey"] = "",
        };
    }

    [Fact]
    public async Task ServiceRefusesToStartWithAProxyThatIsNoAddressAndNamesTheSetting()
    {
        var app = new BadProxyApp();
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains("Proxy:KnownProxies: 'haproxy' is not an IP address", error.ToString());
            Assert.Contains("Proxy:KnownNetworks: '10.0.0.0/99' is not a network", error.ToString());
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class BadProxyApp : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies:0"] = "haproxy",
            ["Proxy:KnownNetworks:0"] = "10.0.0.0/99",
        };
    }
}
