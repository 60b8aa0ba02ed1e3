using Umearegionen.Switchboard.Access;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Administrative commands run with the service's own configuration instead of serving:
///   migrate
///   accounts create --username NAME --display-name "FULL NAME" --role ROLE [--municipality CODE] [--password-stdin]
///   api-keys create --name NAME
/// </summary>
public static class Commands
{
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && args[0] is "migrate" or "accounts" or "api-keys";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var ct = CancellationToken.None;
        await app.MigrateDatabaseAsync();
        switch (args)
        {
            case ["migrate", ..]:
                Console.WriteLine("Migrations applied.");
                return 0;

            case ["accounts", "create", .. var rest]:
                var options = Options(rest);
                var password = options.ContainsKey("password-stdin")
                    ? (Console.In.ReadLine() ?? "").Trim()
                    : System.Security.Cryptography.RandomNumberGenerator.GetString(
                        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
                var request = new CreateAccountRequest(
                    options.GetValueOrDefault("username"), options.GetValueOrDefault("display-name"),
                    options.GetValueOrDefault("role"), options.GetValueOrDefault("municipality"), password);
                var errors = await AccountsApi.ValidateAsync(request, app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), ct);
                if (errors.Any)
                {
                    foreach (var (field, messages) in errors.ToDictionary())
                    {
                        Console.Error.WriteLine($"--{field}: {string.Join(" ", messages)}");
                    }

                    return 2;
                }

                var account = await app.Services.GetRequiredService<Accounts>().CreateAsync(new NewAccount(
                    request.Username!, request.DisplayName!, request.Role!, request.MunicipalityCode, password), ct);
                Console.WriteLine($"Created {account.Role} '{account.Username}' ({account.Id}).");
                if (!options.ContainsKey("password-stdin"))
                {
                    Console.WriteLine($"Password: {password}");
                }

                return 0;

            case ["api-keys", "create", .. var rest]:
                var name = Options(rest).GetValueOrDefault("name");
                if (string.IsNullOrWhiteSpace(name))
                {
                    Console.Error.WriteLine("--name is required, e.g. --name \"Växelplattform\".");
                    return 2;
                }

                var key = await app.Services.GetRequiredService<ApiKeys>().CreateAsync(name, Roles.Telephony, "command line", ct);
                Console.WriteLine($"API key for '{name}' (shown only now): {key.Key}");
                return 0;

            default:
                Console.Error.WriteLine("Unknown command. Use: migrate | accounts create ... | api-keys create --name NAME");
                return 2;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            var key = args[i][2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[key] = hasValue ? args[++i] : "";
        }

        return options;
    }
}
