namespace Umearegionen.Switchboard.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's translation of the service's errors (wwwroot/js/errors.js) is pure JavaScript: its table of cases
/// (errors.test.mjs) runs in Node's own test runner, which every machine that builds the dashboard has.
/// </summary>
public sealed class DashboardErrorTextsTests
{
    [Fact]
    public async Task ServiceErrorsAndHubErrorsReadAsSwedishSentences()
    {
        await NodeTestRunner.RunAsync("errors.test.mjs");
    }
}
