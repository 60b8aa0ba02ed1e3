namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>The `accounts create` and `api-keys create` commands, run as a separate process like an administrator would.</summary>
public sealed class AccountCommandTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task AccountsCreateCommandMakesAnAccountThatCanLogInWithThePrintedPassword()
    {
        var username = "cmd-" + Guid.NewGuid().ToString("N")[..8];

        var (exit, output, _) = await RunAsync("accounts", "create", "--username", username,
            "--display-name", "Kommando Test", "--role", "editor", "--municipality", "2404");

        Assert.Equal(0, exit);
        var password = output.Split('\n').Single(l => l.StartsWith("Password: ", StringComparison.Ordinal))["Password: ".Length..].Trim();
        var login = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task AccountsCreateCommandRejectsAnEditorWithoutMunicipalityAndNamesTheOption()
    {
        var (exit, _, errors) = await RunAsync("accounts", "create", "--username", "cmd-bad",
            "--display-name", "Utan Kommun", "--role", "editor");

        Assert.Equal(2, exit);
        Assert.Contains("--municipalityCode", errors);
    }

    [Fact]
    public async Task ApiKeysCreateCommandPrintsAKeyTheServiceAccepts()
    {
        var (exit, output, _) = await RunAsync("api-keys", "create", "--name", "Växelplattform test");

        Assert.Equal(0, exit);
        var key = output.Trim().Split(' ')[^1];
        Assert.NotNull(await app.Service<Switchboard.Access.ApiKeys>().ValidateAsync(key, CancellationToken.None));
    }

    private Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args) => ServiceCommand.RunAsync(app, args);
}
