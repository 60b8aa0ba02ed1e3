namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>Answers that carry personal data tell browsers and proxies to keep no copy.</summary>
public sealed class PersonalDataCachingTests(PersonalDataCachingTests.App app) : IClassFixture<PersonalDataCachingTests.App>
{
    public sealed class App : SwitchboardApp;

    [Theory]
    [InlineData("/api/calls")]
    [InlineData("/api/personal-data/extract?number=070-123%2045%2067")]
    [InlineData("/api/personal-data/extract?number=070-123%2045%2067&format=csv")]
    [InlineData("/api/access-log")]
    [InlineData("/api/accounts")]
    [InlineData("/api/callbacks")]
    public async Task AnswerWithPersonalDataIsNotStored(string path)
    {
        var client = await app.ClientForAsync(Roles.Administrator);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path} answered Cache-Control: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task EditorsCallbacksAreNotStored()
    {
        var client = await app.ClientForAsync(Roles.Editor, "2480");

        var response = await client.GetAsync("/api/callbacks");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }
}
