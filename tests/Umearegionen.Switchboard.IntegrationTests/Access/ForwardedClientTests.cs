namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>
/// The login rate limit counts the client haproxy names in X-Forwarded-For when the request comes
/// from a configured proxy, and the connection's own address otherwise. On Kestrel, so the
/// connection has a real address (127.0.0.1).
/// </summary>
public abstract class ForwardingApp : SwitchboardApp
{
    protected ForwardingApp() => UseKestrel(0);

    protected abstract string KnownProxy { get; }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Access:LoginAttemptsPerMinute"] = "2",
        ["Proxy:KnownProxies:0"] = KnownProxy,
    };

    public HttpClient Client()
    {
        return new HttpClient { BaseAddress = new Uri(KestrelAddress) };
    }

    public async Task<HttpStatusCode> LoginFromAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { username = "someone", password = "guess" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}

public sealed class BehindAKnownProxyTests(BehindAKnownProxyTests.App app) : IClassFixture<BehindAKnownProxyTests.App>
{
    public sealed class App : ForwardingApp
    {
        protected override string KnownProxy => "127.0.0.1";
    }

    [Fact]
    public async Task TwoClientsBehindTheProxyAreLimitedSeparately()
    {
        var client = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await app.LoginFromAsync(client, "198.51.100.1"));

        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "198.51.100.2"));
    }

    [Fact]
    public async Task OnlyTheAddressTheProxyAppendedCountsNotOneTheClientWrote()
    {
        var client = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "203.0.113.1, 198.51.100.7"));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "203.0.113.2, 198.51.100.7"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await app.LoginFromAsync(client, "203.0.113.3, 198.51.100.7"));
    }
}

public sealed class FromAnUnknownAddressTests(FromAnUnknownAddressTests.App app) : IClassFixture<FromAnUnknownAddressTests.App>
{
    public sealed class App : ForwardingApp
    {
        protected override string KnownProxy => "192.0.2.10";
    }

    [Fact]
    public async Task XForwardedForFromAnAddressThatIsNoKnownProxyIsIgnored()
    {
        var client = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await app.LoginFromAsync(client, "198.51.100.2"));

        Assert.Equal(HttpStatusCode.TooManyRequests, await app.LoginFromAsync(client, "198.51.100.3"));
    }
}
