using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>A path that leads nowhere is a 404 and a body the endpoint cannot read a 415, whoever asks; a real endpoint stays deny-by-default.</summary>
public sealed class UnknownRequestTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task AnUnknownApiRouteIsNotFoundWithoutAToken()
    {
        var response = await app.CreateClient().GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Status);
    }

    [Fact]
    public async Task AnUnknownApiRouteIsNotFoundWithAToken()
    {
        var operatorClient = await app.ClientForAsync(Roles.Operator);

        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.GetAsync("/api/no-such-thing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.PostAsync("/api/directory/no-such-thing", null)).StatusCode);
    }

    [Fact]
    public async Task AKnownRouteWithAnotherMethodIsMethodNotAllowed()
    {
        var response = await app.CreateClient().DeleteAsync("/api/auth/login");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task AKnownRouteStillRefusesACallerWithoutATokenOrTheRightRole()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/accounts")).StatusCode);
        var operatorClient = await app.ClientForAsync(Roles.Operator);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/api/accounts")).StatusCode);
    }

    [Fact]
    public async Task PlainTextToTheLoginIsAnUnsupportedMediaType()
    {
        var response = await app.CreateClient().PostAsync("/api/auth/login",
            new StringContent("""{"username":"someone","password":"guess"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task PlainTextWithATokenToAJsonEndpointIsAnUnsupportedMediaType()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsync("/api/accounts",
            new StringContent("""{"username":"x"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
