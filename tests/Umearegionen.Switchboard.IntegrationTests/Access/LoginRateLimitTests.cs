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
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
        {
            responses.Add(await client.PostAsJsonAsync("/api/auth/login", new { username = "someone", password = "guess" + i }));
        }

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(2, refused.Count);
        // The fixed window is a minute: the answer says when, in whole seconds, this address may try again.
        Assert.All(refused, r => Assert.InRange(r.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60));
    }
}
