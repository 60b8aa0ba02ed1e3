namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>Runs scripts/tests/local-postgres-ports.sh: two checkouts' local clusters never share a port.</summary>
public sealed class LocalPostgresScriptTests
{
    [Fact]
    public async Task TwoCheckoutsStartingAtOnceGetPortsOfTheirOwn()
    {
        var script = Path.Combine(TestPostgres.RepositoryRoot(), "scripts", "tests", "local-postgres-ports.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"{await output}\n{await errors}");
        Assert.Contains("local-postgres ports: ok", await output, StringComparison.Ordinal);
    }
}
