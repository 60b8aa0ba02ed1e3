using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Administrative commands run with the service's own configuration instead of serving:
///   migrate
///   accounts create --username NAME --display-name "FULL NAME" --role ROLE [--municipality CODE] [--password-stdin]
///   api-keys create --name NAME
///   api-keys revoke --id ID
///   demo history --days N
/// </summary>
public static class Commands
{
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && args[0] is "migrate" or "accounts" or "api-keys" or "demo";

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
                var errors = await AccountsApi.ValidateAsync(request, app.Services.GetRequiredService<NpgsqlDataSource>(), ct);
                if (errors.Any)
                {
                    foreach (var (field, messages) in errors.ToDictionary())
                    {
                        Console.Error.WriteLine($"--{field}: {string.Join(" ", messages)}");
                    }

                    return 2;
                }

                var account = await app.Services.GetRequiredService<Accounts>().CreateAsync(new NewAccount(
                    request.Username!, request.DisplayName!, request.Role!, request.MunicipalityCode, password), AccessActor.Command, ct);
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

                var key = await app.Services.GetRequiredService<ApiKeys>().CreateAsync(name, Roles.Telephony, AccessActor.Command, ct);
                Console.WriteLine($"API key for '{name}' (shown only now): {key.Key}");
                return 0;

            case ["api-keys", "revoke", .. var rest]:
                if (!Guid.TryParse(Options(rest).GetValueOrDefault("id"), out var keyId))
                {
                    Console.Error.WriteLine("--id is required: the API key's id, as GET /api/api-keys lists it.");
                    return 2;
                }

                if (!await app.Services.GetRequiredService<ApiKeys>().RevokeAsync(keyId, AccessActor.Command, ct))
                {
                    Console.Error.WriteLine($"No active API key has id {keyId}.");
                    return 1;
                }

                Console.WriteLine($"API key {keyId} revoked.");
                return 0;

            case ["demo", "history", .. var rest]:
                return await DemoHistoryAsync(app, Options(rest), ct);

            default:
                Console.Error.WriteLine("Unknown command. Use: migrate | accounts create ... | api-keys create --name NAME | api-keys revoke --id ID | demo history --days N");
                return 2;
        }
    }

    /// <summary>
    /// Past calls for a demo or a load test's database: the demo's history (about 1,400 calls a weekday)
    /// for the given number of days, with facts and rollups, then vacuumed and analysed as a database
    /// that has lived that long would be. Never into a database that holds real calls.
    /// </summary>
    private static async Task<int> DemoHistoryAsync(WebApplication app, Dictionary<string, string> options, CancellationToken ct)
    {
        if (!int.TryParse(options.GetValueOrDefault("days"), System.Globalization.CultureInfo.InvariantCulture, out var days) || days is < 1 or > 3660)
        {
            Console.Error.WriteLine("--days must be a whole number of days from 1 to 3660, e.g. --days 365.");
            return 2;
        }

        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            var (real, demo) = await conn.QuerySingleAsync<(bool, bool)>(new CommandDefinition("""
                select exists (select 1 from calls where platform_call_id not like @marker || '%'),
                       exists (select 1 from calls where platform_call_id like @marker || '%')
                """, new { marker = Statistics.StatisticsDemoData.Marker }, cancellationToken: ct));
            if (real || demo)
            {
                Console.Error.WriteLine(real
                    ? "This database already holds calls that are not demo history; demo history goes only into a new demo or load-test database."
                    : "This database already has demo history.");
                return 2;
            }
        }

        await app.Services.GetRequiredService<Statistics.StatisticsDemoData>().LoadHistoryAsync(days, ct);
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            // Every table, not only the big ones: making the year's facts queues each of them in
            // call_facts_pending and then takes them all, which leaves that small queue table and its index
            // with hundreds of thousands of dead rows. Until autovacuum reached it, every flush under load
            // walked them (docs/performance.md, tuning rules).
            await conn.ExecuteAsync(new CommandDefinition("vacuum (analyze)", commandTimeout: 0, cancellationToken: ct));
            var calls = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                "select count(*) from calls", cancellationToken: ct));
            Console.WriteLine($"Loaded {days} days of demo history: {calls} calls.");
        }

        return 0;
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
