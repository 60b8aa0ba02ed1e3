namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class TokenClockTests(FakeClockApp app) : IClassFixture<FakeClockApp>
{
    [Fact]
    public async Task TokenStopsWorkingWhenItsLifetimeHasPassedOnTheServicesClock()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var client = app.ClientFor(account);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);

        app.Clock!.Advance(TimeSpan.FromMinutes(62));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", app.TokenFor(account));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
    }
}
