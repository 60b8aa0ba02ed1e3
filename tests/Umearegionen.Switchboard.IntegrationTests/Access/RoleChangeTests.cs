using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>PUT /api/accounts/{id}/role and the refusals that keep the region from losing its last administrator.</summary>
public sealed class RoleChangeTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task BadRoleChangesNameEachFieldAndChangeNothing()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var admin = await AdministratorAsync();

        var noMunicipality = await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "editor" });
        var unknownRole = await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "superuser", municipalityCode = "9999" });
        var unknownAccount = await admin.PutAsJsonAsync($"/api/accounts/{Guid.NewGuid()}/role", new { role = "manager" });

        Assert.Equal(HttpStatusCode.BadRequest, noMunicipality.StatusCode);
        Assert.Contains("municipalityCode", (await noMunicipality.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        var errors = (await unknownRole.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors;
        Assert.Contains("role", errors.Keys);
        Assert.Contains("municipalityCode", errors.Keys);
        Assert.Equal(HttpStatusCode.NotFound, unknownAccount.StatusCode);
        Assert.Equal(Roles.Operator, (await app.Service<Accounts>().FindAsync(account.Id, CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task AccountsAreAnsweredWithoutTheirSecurityStamp()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var admin = await AdministratorAsync();

        var changed = await (await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "manager" })).Content.ReadAsStringAsync();
        var list = await admin.GetStringAsync("/api/accounts");

        var stamp = (await app.Service<Accounts>().FindAsync(account.Id, CancellationToken.None))!.SecurityStamp;
        Assert.Contains("\"role\":\"manager\"", changed, StringComparison.Ordinal);
        Assert.DoesNotContain(stamp, changed, StringComparison.Ordinal);
        Assert.DoesNotContain(stamp, list, StringComparison.Ordinal);
        Assert.DoesNotContain("securityStamp", list, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RoleChangeIsForAdministratorsOnly()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var manager = await app.ClientForAsync(Roles.Manager);

        var response = await manager.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "administrator" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AdministratorCannotDisableThemselves()
    {
        var (me, client) = await AdministratorWithAccountAsync();
        await AdministratorAsync();

        var response = await client.PostAsync($"/api/accounts/{me.Id}/disable", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("another administrator", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
    }

    [Fact]
    public async Task TheLastActiveAdministratorCanBeNeitherDemotedNorDisabled()
    {
        // Every other administrator of this database disabled, leaving one.
        var (last, client) = await AdministratorWithAccountAsync();
        var (other, _) = await AdministratorWithAccountAsync();
        foreach (var account in await app.Service<Accounts>().ListAsync(CancellationToken.None))
        {
            if (account.Role == Roles.Administrator && account.Id != last.Id && !account.Disabled)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/accounts/{account.Id}/disable", null)).StatusCode);
            }
        }

        var demoted = await client.PutAsJsonAsync($"/api/accounts/{last.Id}/role", new { role = "manager" });

        Assert.Equal(HttpStatusCode.Conflict, demoted.StatusCode);
        Assert.Contains("last active administrator", (await demoted.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(Roles.Administrator, (await app.Service<Accounts>().FindAsync(last.Id, CancellationToken.None))!.Role);

        // With another administrator back, the demotion goes through.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/accounts/{other.Id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/accounts/{last.Id}/role", new { role = "manager" })).StatusCode);
    }

    private Task<HttpClient> AdministratorAsync() => app.ClientForAsync(Roles.Administrator);

    private Task<(Account Account, HttpClient Client)> AdministratorWithAccountAsync() => app.AccountAndClientAsync(Roles.Administrator);
}
