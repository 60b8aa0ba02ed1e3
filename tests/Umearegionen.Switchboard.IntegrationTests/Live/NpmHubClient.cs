namespace Umearegionen.Switchboard.IntegrationTests.Live;

/// <summary>
/// Hub invocations made with the npm client the dashboard uses (@microsoft/signalr), run by Node from
/// hub-invocations.mjs against a service listening on a real port.
/// </summary>
public static class NpmHubClient
{
    public sealed record Invocation(string Name, string Token, string Method, object?[] Args);

    /// <summary>What an invocation gave: the Error's message as the client holds it and the code the dashboard reads from it.</summary>
    public sealed record Outcome(string Name, bool Ok, bool IsError, string? Message, string? DashboardCode);

    public static async Task<List<Outcome>> InvokeAsync(string baseAddress, IReadOnlyList<Invocation> invocations)
    {
        var root = TestPostgres.RepositoryRoot();
        var dashboard = Path.Combine(root, "src", "Umearegionen.Switchboard");
        // A file rather than the environment: one environment string holds at most 128 KB on Linux.
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(invocations, JsonSerializerOptions.Web));
            var start = new ProcessStartInfo("node", [Path.Combine(root, "tests", "Umearegionen.Switchboard.IntegrationTests", "Live", "hub-invocations.mjs")])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
                Environment =
                {
                    ["SWITCHBOARD_URL"] = baseAddress,
                    ["SWITCHBOARD_CLIENTAPP"] = Path.Combine(dashboard, "ClientApp"),
                    ["SWITCHBOARD_WWWROOT"] = Path.Combine(dashboard, "wwwroot"),
                    ["HUB_INVOCATIONS_FILE"] = file,
                },
            };
            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var errors = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"node failed:\n{await output}\n{await errors}");
            return JsonSerializer.Deserialize<List<Outcome>>(await output, JsonSerializerOptions.Web)!;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
