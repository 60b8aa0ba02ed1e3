using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class AccessTests(AccessTests.App app) : IClassFixture<AccessTests.App>
{
    public sealed class App : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Access:MaxFailedLogins"] = "3",
            ["Access:LockoutDuration"] = "00:10:00",
        };
    }

    [Fact]
    public async Task AnonymousRequestIsRefusedWith401()
    {
        var response = await app.CreateClient().GetAsync("/api/accounts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Manager)]
    public async Task WrongRoleIsRefusedWith403(string role)
    {
        var client = await app.ClientForAsync(role);

        var response = await client.GetAsync("/api/accounts");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task EditorIsRefusedAdministration()
    {
        var client = await app.ClientForAsync(Roles.Editor, "2480");

        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/api-keys", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task TelephonyApiKeyIsNotAPerson()
    {
        var client = await app.TelephonyClientAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task UnknownApiKeyIsRefusedWith401()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, "sbk_0123456789_not-a-real-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task RevokedApiKeyStopsWorking()
    {
        var keys = app.Service<ApiKeys>();
        var key = await keys.CreateAsync("to revoke", Roles.Telephony, SwitchboardApp.TestActor, CancellationToken.None);
        Assert.NotNull(await keys.ValidateAsync(key.Key, CancellationToken.None));

        var admin = await app.ClientForAsync(Roles.Administrator);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/api-keys/{key.Info.Id}")).StatusCode);

        Assert.Null(await keys.ValidateAsync(key.Key, CancellationToken.None));
    }

    [Fact]
    public async Task AdministratorListsAccounts()
    {
        var client = await app.ClientForAsync(Roles.Administrator);

        var accounts = await client.GetFromJsonAsync<List<Account>>("/api/accounts");

        Assert.NotNull(accounts);
        Assert.NotEmpty(accounts);
    }

    [Fact]
    public async Task LoginWithTheRightPasswordGivesATokenThatWorks()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Editor, "2460");
        var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<LoginResponse>();

        client.DefaultRequestHeaders.Authorization = new("Bearer", login!.AccessToken);
        var me = await client.GetFromJsonAsync<UserInfo>("/api/auth/me");
        Assert.Equal(Roles.Editor, me!.Role);
        Assert.Equal("2460", me.MunicipalityCode);
        Assert.True(login.ExpiresAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task BadLoginIsRejectedWithAProblemThatSaysWhatToDo()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator);

        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login",
            new { username = account.Username, password = "not the password" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("Wrong username or password", problem!.Detail);
    }

    [Fact]
    public async Task UnknownUserGetsTheSameAnswerAsAWrongPassword()
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login",
            new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = "whatever" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Wrong username or password", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
    }

    [Fact]
    public async Task LockedAccountStaysLockedEvenWithTheRightPasswordUntilAnAdministratorUnlocksIt()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Operator);
        var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = "wrong" });
        }

        var locked = await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);

        var admin = await app.ClientForAsync(Roles.Administrator);
        var listed = await admin.GetFromJsonAsync<List<Account>>("/api/accounts");
        Assert.NotNull(listed!.Single(a => a.Id == account.Id).LockedUntil);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{account.Id}/unlock", null)).StatusCode);

        var unlocked = await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
    }

    [Fact]
    public async Task LockedAccountAnswersExactlyAsAnUnknownUserAndAWrongPassword()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Operator);
        var client = app.CreateClient();
        var wrong = await Answer(await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = "wrong" }));
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = "wrong" });
        }

        var locked = await Answer(await client.PostAsJsonAsync("/api/auth/login", new { username = account.Username, password }));
        var unknown = await Answer(await client.PostAsJsonAsync("/api/auth/login",
            new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password }));

        Assert.Equal((HttpStatusCode.Unauthorized, "Login failed"), (wrong.Status, wrong.Title));
        Assert.Equal(wrong, locked);
        Assert.Equal(wrong, unknown);

        static async Task<(HttpStatusCode Status, string? Title, string? Detail)> Answer(HttpResponseMessage response)
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
            return (response.StatusCode, problem!.Title, problem.Detail);
        }
    }

    [Fact]
    public async Task DisabledAccountCannotLogIn()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Manager);
        var admin = await app.ClientForAsync(Roles.Administrator);
        await admin.PostAsync($"/api/accounts/{account.Id}/disable", null);

        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CreatingAnEditorWithoutMunicipalityNamesTheField()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsJsonAsync("/api/accounts", new
        {
            username = "new.editor", displayName = "Ny Redaktör", role = "editor", password = "long-enough-password",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("municipalityCode", problem!.Errors.Keys);
    }

    [Fact]
    public async Task DisplayNameWithALineBreakOrADirectionOverrideIsRefusedNamingTheField()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);

        var responses = await Task.WhenAll(new[] { "Ny\r\nRedaktör", "\u202Erötkader yN" }.Select(name => admin.PostAsJsonAsync("/api/accounts", new
        {
            username = "op-" + Guid.NewGuid().ToString("N")[..8], displayName = name, role = "operator", municipalityCode = "2403",
            password = "long-enough-password",
        })));

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
            Assert.Equal(["displayName"], problem!.Errors.Keys);
        }
    }

    [Fact]
    public async Task CreatingAnAccountWithATakenUsernameIsAConflict()
    {
        var (existing, _) = await app.CreateAccountAsync(Roles.Operator);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var response = await admin.PostAsJsonAsync("/api/accounts", new
        {
            username = existing.Username.ToUpperInvariant().ToLowerInvariant(), displayName = "Dubblett", role = "operator",
            password = "long-enough-password",
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task AdministratorCreatesAnAccountThatCanLogIn()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var username = "op-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.PostAsJsonAsync("/api/accounts", new
        {
            username, displayName = "Ny Telefonist", role = "operator", municipalityCode = "2403", password = "long-enough-password",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var login = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username, password = "long-enough-password" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task RefreshGivesAFreshTokenButNotForADisabledAccount()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var client = app.ClientFor(account);

        var refreshed = await client.PostAsync("/api/auth/refresh", null);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.False(string.IsNullOrEmpty((await refreshed.Content.ReadFromJsonAsync<LoginResponse>())!.AccessToken));

        await app.Service<Accounts>().SetDisabledAsync(account.Id, true, SwitchboardApp.TestActor, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/refresh", null)).StatusCode);
    }
}
