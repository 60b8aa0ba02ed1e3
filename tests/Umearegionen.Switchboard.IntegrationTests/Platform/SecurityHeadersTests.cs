namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class SecurityHeadersTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/js/app.js")]
    [InlineData("/health/ready")]
    [InlineData("/api/auth/me")]
    [InlineData("/api/no-such-thing")]
    public async Task EveryAnswerCarriesTheSecurityHeaders(string path)
    {
        var response = await app.CreateClient().GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("style-src 'self';", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("connect-src 'self' ws://localhost wss://localhost;", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task AnAnswerWithPersonalDataKeepsItsNoStoreBesideTheSecurityHeaders()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.GetAsync("/api/accounts");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }
}
