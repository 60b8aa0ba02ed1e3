namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// The dashboard works under the service's Content-Security-Policy: no view, chart or hub
/// connection does anything the policy refuses. The browser reports each refusal as a
/// securitypolicyviolation event, which the page collects from its first script on.
/// </summary>
public sealed class ContentSecurityPolicyTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string CollectViolations = """
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.cspViolations.push(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
        """;

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Administrator)]
    public async Task EveryViewOfTheRoleRunsWithoutACspViolation(string role)
    {
        var console = new List<string>();
        var page = await SignedInAsync(app, role, beforeLoad: async p =>
        {
            p.Console += (_, m) => { if (m.Type == "error") console.Add(m.Text); };
            await p.AddInitScriptAsync(CollectViolations);
        });

        var views = await page.Locator("#nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            await page.Locator($"#nav a[href='{view}']").ClickAsync();
            await Assertions.Expect(page.Locator($"#nav a[href='{view}']")).ToHaveAttributeAsync("aria-current", "page");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.WaitForTimeoutAsync(200);
        }

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Ansluten");
        var violations = await page.EvaluateAsync<string[]>("window.cspViolations");
        Assert.True(violations.Length == 0, $"Views {string.Join(" ", views)}: " + string.Join("\n", violations));
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AnInlineStyleIsRefusedAndReported()
    {
        var page = await app.NewPageAsync();
        await page.AddInitScriptAsync(CollectViolations);
        await page.GotoAsync("/");

        await page.EvaluateAsync("document.body.setAttribute('style', 'color: red')");

        await page.WaitForFunctionAsync("window.cspViolations.length > 0");
        await Assertions.Expect(page.Locator("body")).Not.ToHaveCSSAsync("color", "rgb(255, 0, 0)");
        var violations = await page.EvaluateAsync<string[]>("window.cspViolations");
        Assert.Contains(violations, v => v.StartsWith("style-src-attr", StringComparison.Ordinal));
    }
}
