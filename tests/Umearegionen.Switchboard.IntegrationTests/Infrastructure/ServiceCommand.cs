using System.Diagnostics;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>Runs one of the service's administrative commands as a separate process, like an administrator would.</summary>
public static class ServiceCommand
{
    public static async Task<(int Exit, string Output, string Errors)> RunAsync(SwitchboardApp app, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", ["Umearegionen.Switchboard.dll", .. args])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Switchboard"] = app.DatabaseConnectionString;
        start.Environment["Access__SigningKey"] = SwitchboardApp.SigningKey;
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
