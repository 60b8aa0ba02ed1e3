using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Umearegionen.Switchboard.Platform.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Load the demo directory and create demo accounts on first start (the run command turns this on).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the generated demo credentials are kept (readable only by the owner).</summary>
    public string CredentialsFile { get; set; } = ".local/demo-credentials.txt";
}

/// <summary>A feature's demo data, loaded once on the first start of a demo installation.</summary>
public interface IDemoData
{
    int Order { get; }

    Task<bool> IsLoadedAsync(CancellationToken ct);

    Task LoadAsync(CancellationToken ct);
}

public static class DemoSeeding
{
    /// <summary>Who the access log names for the demo's accounts and key.</summary>
    private static readonly AccessActor DemoActor = new("demo-data", "demo data (first start)", Roles.Administrator);

    private static readonly (string Username, string Name, string Role, string? Municipality)[] DemoAccounts =
    [
        ("telefonist1", "Telefonist Ett (Bjurholm)", Roles.Operator, "2403"),
        ("telefonist2", "Telefonist Två (Bjurholm)", Roles.Operator, "2403"),
        ("telefonist.umea", "Täckning Umeå", Roles.Operator, "2480"),
        ("redaktor.umea", "Redaktör Umeå", Roles.Editor, "2480"),
        ("redaktor.vannas", "Redaktör Vännäs", Roles.Editor, "2460"),
        ("chef", "Växelchef", Roles.Manager, null),
        ("admin", "Administratör", Roles.Administrator, null),
    ];

    public static async Task SeedDemoAsync(this WebApplication app)
    {
        var options = app.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (!options.Enabled)
        {
            return;
        }

        var services = app.Services;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoSeeding));
        var ct = app.Lifetime.ApplicationStopping;

        // Nodes starting together on a new database: one seeds, the others then find it done.
        await using var lockConnection = await services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(ct);
        await using (var take = new Npgsql.NpgsqlCommand($"select pg_advisory_lock({SeedLockKey})", lockConnection))
        {
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await SeedAsync(options, services, logger, ct);
        }
        finally
        {
            await using var release = new Npgsql.NpgsqlCommand($"select pg_advisory_unlock({SeedLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }

        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, options));
    }

    private const long SeedLockKey = 0x5357_4954_4344; // "SWITCD"

    private static async Task SeedAsync(DemoOptions options, IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        foreach (var data in services.GetServices<IDemoData>().OrderBy(d => d.Order))
        {
            if (!await data.IsLoadedAsync(ct))
            {
                logger.LogInformation("Loading demo data {DemoData}", data.GetType().Name);
                await data.LoadAsync(ct);
            }
        }

        var accounts = services.GetRequiredService<Accounts>();
        if (!await accounts.AnyAsync(ct))
        {
            var text = new StringBuilder();
            text.AppendLine("Demo accounts (generated on first start; change or disable them before real use):");
            foreach (var (username, name, role, municipality) in DemoAccounts)
            {
                var password = GeneratePassword();
                await accounts.CreateAsync(new NewAccount(username, name, role, municipality, password), DemoActor, ct);
                text.AppendLine($"  {role,-14} {username,-18} {password}");
            }

            var key = await services.GetRequiredService<ApiKeys>().CreateAsync("Telefonisimulator (demo)", Roles.Telephony, DemoActor, ct);
            text.AppendLine($"Telephony API key (X-Api-Key header): {key.Key}");
            WritePrivateFile(options.CredentialsFile, text.ToString());
        }
    }

    private static void PrintWelcome(WebApplication app, DemoOptions options)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault() ?? "http://localhost";
        var credentials = File.Exists(options.CredentialsFile)
            ? File.ReadAllText(options.CredentialsFile)
            : $"(the credentials file {options.CredentialsFile} is missing; create accounts with the `accounts create` command)\n";
        Console.WriteLine($"""

            ─── Umeåregionens växel is running ───
            Dashboard:          {address}/
            API documentation:  {address}/scalar/v1   (OpenAPI: {address}/openapi/v1.json)
            Health:             {address}/health/ready
            {credentials}Credentials are kept in {Path.GetFullPath(options.CredentialsFile)}.
            """);
    }

    private static string GeneratePassword()
    {
        const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(Alphabet, 16);
    }

    private static void WritePrivateFile(string path, string content)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
