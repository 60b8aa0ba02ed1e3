namespace Umearegionen.Switchboard.IntegrationTests.Dashboard;

/// <summary>Runs one of the dashboard's pure-JavaScript test tables (a *.test.mjs beside this file) in Node's own test runner.</summary>
internal static class NodeTestRunner
{
    /// <summary>Runs the file; fails unless every case passed; returns Node's report.</summary>
    public static async Task<string> RunAsync(string file)
    {
        var root = TestPostgres.RepositoryRoot();
        var start = new ProcessStartInfo("node", ["--test", Path.Combine(root, "tests", "Umearegionen.Switchboard.IntegrationTests", "Dashboard", file)])
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
        return await output;
    }
}
