using Serilog.Core;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>Privileged changes (API and command line) and failed logins land in the access log; passwords never do.</summary>
public sealed class AccessLogRecordingTests(AccessLogRecordingTests.App app) : IClassFixture<AccessLogRecordingTests.App>
{
    public sealed class App : SwitchboardApp
    {
        public CapturingSink Log { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
        };

        protected override ILogEventSink LogSink => Log;
    }

    [Fact]
    public async Task EachPrivilegedChangeThroughTheApiIsRecordedWithTheAdministratorWhoMadeIt()
    {
        var (adminAccount, admin) = await app.AccountAndClientAsync(Roles.Administrator);
        var username = "logged-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.PostAsJsonAsync("/api/accounts", new
        {
            username, displayName = "Loggad Person", role = "operator", municipalityCode = "2403", password = "long-enough-password",
        });
        var id = (await created.Content.ReadFromJsonAsync<Account>())!.Id;
        await admin.PostAsync($"/api/accounts/{id}/disable", null);
        await admin.PostAsync($"/api/accounts/{id}/enable", null);
        await admin.PostAsync($"/api/accounts/{id}/unlock", null);
        await admin.PutAsJsonAsync($"/api/accounts/{id}/password", new { password = "another-long-password" });
        await admin.PutAsJsonAsync($"/api/accounts/{id}/role", new { role = "manager" });
        var key = await (await admin.PostAsJsonAsync("/api/api-keys", new { name = "Loggad nyckel" })).Content.ReadFromJsonAsync<CreatedApiKey>();
        await admin.DeleteAsync($"/api/api-keys/{key!.Info.Id}");

        var entries = await admin.GetFromJsonAsync<List<AccessLogEntry>>($"/api/access-log?actorId={adminAccount.Id}");

        Assert.Equal(
            [
                AccessActions.ApiKeyRevoked, AccessActions.ApiKeyCreated, AccessActions.RoleChanged, AccessActions.PasswordReset,
                AccessActions.AccountUnlocked, AccessActions.AccountEnabled, AccessActions.AccountDisabled, AccessActions.AccountCreated,
            ],
            entries!.Select(e => e.Action));
        Assert.All(entries!.Take(2), e => Assert.Equal(("api_key", key.Info.Id.ToString()), (e.TargetKind, e.TargetId)));
        Assert.All(entries!.Skip(2), e => Assert.Equal(("account", id.ToString()), (e.TargetKind, e.TargetId)));
        Assert.All(entries!, e => Assert.Equal((adminAccount.DisplayName, Roles.Administrator), (e.ActorName, e.ActorRole)));
        Assert.Equal("operator (2403) → manager", entries!.Single(e => e.Action == AccessActions.RoleChanged).Detail);
        await AssertNowhereAsync("long-enough-password");
        await AssertNowhereAsync("another-long-password");
    }

    [Fact]
    public async Task RefusedChangeIsNotRecordedAsDone()
    {
        var (adminAccount, admin) = await app.AccountAndClientAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/accounts/{adminAccount.Id}/disable", null)).StatusCode);

        Assert.Empty((await admin.GetFromJsonAsync<List<AccessLogEntry>>($"/api/access-log?actorId={adminAccount.Id}"))!);
    }

    [Fact]
    public async Task FailedLoginOfAnExistingAccountNamesTheAccountButNeverThePassword()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        const string Typed = "Fel-Lösenord-7731";

        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = Typed });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (_, admin) = await app.AccountAndClientAsync(Roles.Administrator);
        var entries = await admin.GetFromJsonAsync<List<AccessLogEntry>>($"/api/access-log?action={AccessActions.LoginFailed}");
        var entry = Assert.Single(entries!, e => e.TargetId == account.Id.ToString());
        Assert.Equal(("account", "anonymous", "wrong password"), (entry.TargetKind, entry.ActorId, entry.Detail));
        await AssertNowhereAsync(Typed);
    }

    [Fact]
    public async Task FailedLoginWithAnUnknownUsernameRecordsNoneOfTheTypedText()
    {
        // Someone typed their password into the username field.
        var typedUsername = "Mitt-Hemliga-" + Guid.NewGuid().ToString("N")[..8];
        const string TypedPassword = "Annat-Hemligt-5520";

        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = typedUsername, password = TypedPassword });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        Assert.True(await conn.ExecuteScalarAsync<bool>(
            "select exists (select 1 from access_log where action = 'login_failed' and target_id is null and detail = 'unknown username')"));
        await AssertNowhereAsync(typedUsername);
        await AssertNowhereAsync(TypedPassword);
    }

    [Fact]
    public async Task CommandLineAccountAndApiKeyChangesAreRecordedAsTheCommandLine()
    {
        var username = "cmd-log-" + Guid.NewGuid().ToString("N")[..8];

        var (createdExit, _, _) = await ServiceCommand.RunAsync(app, "accounts", "create", "--username", username,
            "--display-name", "Kommando Logg", "--role", "manager");
        var (keyExit, _, _) = await ServiceCommand.RunAsync(app, "api-keys", "create", "--name", "Kommandonyckel");
        var keyId = (await app.Service<ApiKeys>().ListAsync(CancellationToken.None)).Single(k => k.Name == "Kommandonyckel").Id;
        var (revokeExit, revokeOutput, _) = await ServiceCommand.RunAsync(app, "api-keys", "revoke", "--id", keyId.ToString());

        Assert.Equal((0, 0, 0), (createdExit, keyExit, revokeExit));
        Assert.Contains("revoked", revokeOutput);
        var (_, admin) = await app.AccountAndClientAsync(Roles.Administrator);
        var entries = await admin.GetFromJsonAsync<List<AccessLogEntry>>($"/api/access-log?actorId={AccessActor.Command.Id}");
        Assert.Equal([AccessActions.ApiKeyRevoked, AccessActions.ApiKeyCreated, AccessActions.AccountCreated], entries!.Select(e => e.Action));
        Assert.Equal(keyId.ToString(), entries![0].TargetId);
        var account = (await app.Service<Accounts>().ListAsync(CancellationToken.None)).Single(a => a.Username == username);
        Assert.Equal(account.Id.ToString(), entries[2].TargetId);
    }

    /// <summary>The text is in no row of the access log and no event of the service's log.</summary>
    private async Task AssertNowhereAsync(string text)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        Assert.False(await conn.ExecuteScalarAsync<bool>(
            "select exists (select 1 from access_log l where l::text ilike '%' || @text || '%')", new { text }));
        // The service's log was really captured (its request log names the paths).
        Assert.Contains(app.Log.Events, e => e.Contains("/api/", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Events, e => e.Contains(text, StringComparison.OrdinalIgnoreCase));
    }
}
