using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class ApiSurfaceTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    private IEnumerable<RouteEndpoint> ApiEndpoints() =>
        app.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true);

    [Fact]
    public async Task OpenApiDocumentListsEveryApiEndpoint()
    {
        using var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        var missing = new List<string>();
        foreach (var endpoint in ApiEndpoints())
        {
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment =>
                string.Concat(segment.Parts.Select(part => part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p => "{" + p.Name + "}",
                    _ => "",
                }))));
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var method in methods)
            {
                if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out _))
                {
                    missing.Add($"{method} {path}");
                }
            }
        }

        Assert.NotEmpty(ApiEndpoints());
        Assert.Empty(missing);
    }

    [Fact]
    public void EveryEndpointStatesWhoMayCallIt()
    {
        var unstated = app.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.DisplayName)
            .ToList();

        Assert.Empty(unstated);
    }

    [Fact]
    public async Task MalformedJsonGetsAProblemDetailsAnswerWithoutStackTrace()
    {
        var response = await app.CreateClient().PostAsync("/api/auth/login",
            new StringContent("{ \"username\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(" at ", body);
    }

    [Fact]
    public async Task UnknownAddressGetsProblemDetails()
    {
        var response = await app.CreateClient().GetAsync("/api/does-not-exist");

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task InteractiveApiPageIsServedWithoutAToken()
    {
        var response = await app.CreateClient().GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DashboardIsServedAsUtf8HtmlWithItsLibrariesRestoredFromNpm()
    {
        var client = app.CreateClient();

        var page = await client.GetAsync("/");
        var signalr = await client.GetAsync("/lib/signalr.min.js");

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", page.Content.Headers.ContentType?.CharSet);
        Assert.Contains("Umeåregionens växel", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, signalr.StatusCode);
    }
}
