using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>A session ends Access:SessionLifetime after its login, however often its token is refreshed.</summary>
public sealed class SessionLifetimeTests(SessionLifetimeTests.App app) : IClassFixture<SessionLifetimeTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override bool UseFakeTime => true;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Access:SessionLifetime"] = "02:00:00",
            ["Access:TokenLifetime"] = "01:00:00",
        };
    }

    [Fact]
    public async Task RefreshKeepsTheLoginTimeAndIsRefusedOnceTheSessionIsOlderThanItsLifetime()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Manager);
        var client = app.CreateClient();
        var login = await (await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password }))
            .Content.ReadFromJsonAsync<LoginResponse>();
        var token = login!.AccessToken;
        var authTime = AuthTime(token);

        for (var i = 0; i < 2; i++)
        {
            app.Clock!.Advance(TimeSpan.FromMinutes(50));
            var refreshed = await Refresh(client, token);
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            token = (await refreshed.Content.ReadFromJsonAsync<LoginResponse>())!.AccessToken;
            Assert.Equal(authTime, AuthTime(token));
        }

        app.Clock!.Advance(TimeSpan.FromMinutes(25));
        var tooOld = await Refresh(client, token);

        Assert.Equal(HttpStatusCode.Unauthorized, tooOld.StatusCode);
        Assert.Contains("at most 2 hours", (await tooOld.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        var again = await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task TokenWithoutALoginTimeCannotBeRefreshed()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var token = app.Service<TokenIssuer>().Issue(account, app.Clock!.GetUtcNow().AddHours(-3)).AccessToken;

        var response = await Refresh(app.CreateClient(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static long AuthTime(string token) =>
        long.Parse(new JsonWebToken(token).GetClaim(ClaimNames.AuthTime).Value, System.Globalization.CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> Refresh(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
