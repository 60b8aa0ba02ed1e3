using System.Diagnostics;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;

namespace Umearegionen.Switchboard.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's Swedish telephone numbers (wwwroot/js/phone.js) are pure JavaScript: its table of cases
/// (phone.test.mjs) runs in Node's own test runner, as the error texts do.
/// </summary>
public sealed class DashboardPhoneNumberTests
{
    [Fact]
    public async Task NumbersReadInTheSwedishNationalFormAndForeignOnesAsGiven()
    {
        var root = TestPostgres.RepositoryRoot();
        var start = new ProcessStartInfo("node", ["--test", Path.Combine(root, "tests", "Umearegionen.Switchboard.IntegrationTests", "Dashboard", "phone.test.mjs")])
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
        Assert.Contains("# pass 4", await output, StringComparison.Ordinal);
    }
}
