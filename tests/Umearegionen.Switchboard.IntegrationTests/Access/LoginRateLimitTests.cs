using System.Net;
using System.Net.Http.Json;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class LoginRateLimitTests(LoginRateLimitTests.App app) : IClassFixture<LoginRateLimitTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Access:LoginAttemptsPerMinute"] = "5",
        };
    }

    [Fact]
    public async Task LoginAttemptsBeyondTheLimitAreRefusedWith429()
    {
        var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            var response = await client.PostAsJsonAsync("/api/auth/login", new { username = "someone", password = "guess" + i });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
