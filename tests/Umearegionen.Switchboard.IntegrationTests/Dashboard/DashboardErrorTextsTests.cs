using System.Diagnostics;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;

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
        var root = TestPostgres.RepositoryRoot();
        var start = new ProcessStartInfo("node", ["--test", Path.Combine(root, "tests", "Umearegionen.Switchboard.IntegrationTests", "Dashboard", "errors.test.mjs")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
            Environment = { ["SWITCHBOARD_WWWROOT"] = Path.Combine(root, "src", "Umearegionen.Switchboard", "wwwroot") },
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, $"node --test failed:\n{await output}\n{await errors}");
        Assert.Contains("# fail 0", await output, StringComparison.Ordinal);
    }
}
