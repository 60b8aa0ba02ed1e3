namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>Runs one of the service's administrative commands as a separate process, like an administrator would.</summary>
public static class ServiceCommand
{
    public static Task<(int Exit, string Output, string Errors)> RunAsync(SwitchboardApp app, params string[] args) =>
        RunAsync(app.DatabaseConnectionString, null, args);

    /// <summary>The command with settings of its own (environment variables, e.g. <c>PersonalData__Retention__CallerNumbersDays</c>).</summary>
    public static Task<(int Exit, string Output, string Errors)> RunWithSettingsAsync(
        SwitchboardApp app, IReadOnlyDictionary<string, string> settings, params string[] args) =>
        RunAsync(app.DatabaseConnectionString, null, args, settings);

    /// <summary>The command against the database of <paramref name="connectionString"/>, with <paramref name="input"/> on its standard input.</summary>
    public static Task<(int Exit, string Output, string Errors)> RunAsync(string connectionString, string? input, params string[] args) =>
        RunAsync(connectionString, input, args, null);

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(
        string connectionString, string? input, string[] args, IReadOnlyDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo("dotnet", ["Umearegionen.Switchboard.dll", .. args])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Switchboard"] = connectionString;
        start.Environment["Access__SigningKey"] = SwitchboardApp.SigningKey;
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
