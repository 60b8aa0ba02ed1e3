using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Umearegionen.Switchboard.IntegrationTests.Access;

/// <summary>Disabling an account, setting its password or changing its role ends its sessions at once (docs/decisions/0005).</summary>
public sealed class RevocationTests(RevocationTests.App app) : IClassFixture<RevocationTests.App>
{
    public sealed class App : RoutingApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Access:RevocationCheckInterval"] = "00:00:01",
        };
    }

    private static readonly TimeSpan WithinSeconds = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task DisabledOperatorsOpenConnectionIsClosedWithinSecondsAndTheyGetNoOffer()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var closed = ClosedSignal(op.Connection);
        var admin = await app.ClientForAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{op.Id}/disable", null)).StatusCode);

        // Closed by the service (a close message, no error), not a lost transport a client would reconnect after.
        Assert.Null(await closed.WaitAsync(WithinSeconds));
        Assert.Equal(HubConnectionState.Disconnected, op.Connection.State);
        var call = await world.CallAsync();
        await world.AssertOfferCountAsync(op, 0);
        Assert.Equal(CallStates.Queued, (await world.CallRecordAsync(call.CallId)).State);
        Assert.Equal(OperatorStatuses.Offline,
            await world.ScalarAsync<string>("select status from operators where account_id = @id", new { id = op.Id }));
    }

    [Fact]
    public async Task ConnectionIsClosedWithinSecondsWhenAnotherNodeEndedTheSessionWithoutTellingThisOne()
    {
        // Another node's change reaches this one through the database alone when its signal is lost.
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var closed = ClosedSignal(op.Connection);

        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.ExecuteAsync("update accounts set security_stamp = 'changed elsewhere' where id = @id", new { id = op.Id });
        }

        await closed.WaitAsync(WithinSeconds);
        Assert.Equal(HubConnectionState.Disconnected, op.Connection.State);
    }

    [Fact]
    public async Task CallOfferedToAnOperatorWhoIsDisabledGoesBackToTheQueueAndToTheNextOperator()
    {
        await using var world = new RoutingDriver(app);
        var first = await world.OperatorAsync();
        var call = await world.CallAsync();
        var offer = await first.NextOfferAsync();
        Assert.Equal(call.CallId, offer.Call.Id);
        var admin = await app.ClientForAsync(Roles.Administrator);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/accounts/{first.Id}/disable", null)).StatusCode);

        var record = await world.CallRecordAsync(call.CallId);
        Assert.NotEqual(first.Id, record.OfferedTo);
        Assert.Equal("withdrawn", await world.ScalarAsync<string>(
            $"select resolution from {OfferRows.Table} offers where call_id = @id and operator_id = @op", new { id = call.CallId, op = first.Id }));
        var second = await world.OperatorAsync();
        Assert.Equal(call.CallId, (await second.NextOfferAsync()).Call.Id);
    }

    [Fact]
    public async Task RequestWithTheTokenOfADisabledAccountIsRefusedWith401()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var client = app.ClientFor(account);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        var admin = await app.ClientForAsync(Roles.Administrator);

        await admin.PostAsync($"/api/accounts/{account.Id}/disable", null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        await admin.PostAsync($"/api/accounts/{account.Id}/enable", null);
        // Enabling does not bring the old sessions back: the stamp changed when the account was disabled.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task AfterAnAdministratorSetsThePasswordTheOldTokenNeitherWorksNorRefreshes()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Editor, "2480");
        var token = app.TokenFor(account);
        var client = app.ClientWithToken(token);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/auth/refresh", null)).StatusCode);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var reset = await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/password", new { password = "a-new-long-password" });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/auth/refresh", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        var login = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = account.Username, password = "a-new-long-password" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task RefreshIsRefusedWhenTheStampChangedEvenBeforeTheNodesCacheRunsOut()
    {
        // The refresh reads the account itself: a stamp changed by another node counts at once.
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);
        var client = app.ClientFor(account);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);

        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.ExecuteAsync("update accounts set security_stamp = 'changed elsewhere' where id = @id", new { id = account.Id });
        }

        var refresh = await client.PostAsync("/api/auth/refresh", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task RoleChangeTakesEffectTheOldTokenNoLongerWorksAndANewLoginHasTheNewRole()
    {
        var (account, password) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var client = app.ClientFor(account);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var changed = await admin.PutAsJsonAsync($"/api/accounts/{account.Id}/role", new { role = "editor", municipalityCode = "2460" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var body = await changed.Content.ReadFromJsonAsync<Account>();
        Assert.Equal(("editor", "2460"), (body!.Role, body.MunicipalityCode));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        var login = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { username = account.Username, password });
        var me = (await login.Content.ReadFromJsonAsync<LoginResponse>())!.User;
        Assert.Equal(("editor", "2460"), (me.Role, me.MunicipalityCode));
    }

    [Fact]
    public async Task OperatorDemotedToManagerIsNoLongerOfferedCalls()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var closed = ClosedSignal(op.Connection);
        var admin = await app.ClientForAsync(Roles.Administrator);

        var changed = await admin.PutAsJsonAsync($"/api/accounts/{op.Id}/role", new { role = "manager", municipalityCode = (string?)null });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        await closed.WaitAsync(WithinSeconds);
        // Even were the operator's row set available again, the dispatcher picks only enabled operators.
        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.ExecuteAsync("update operators set status = 'available', disconnected_at = null where account_id = @id", new { id = op.Id });
        }

        var call = await world.CallAsync();
        // A dispatch round run to its end (the intake already passed them over): the call is still offered to no one.
        await app.Service<Umearegionen.Switchboard.Routing.Dispatcher>().RoundOnceAsync(CancellationToken.None);
        Assert.Null((await world.CallRecordAsync(call.CallId)).OfferedTo);
        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.ExecuteAsync("update operators set status = 'offline' where account_id = @id", new { id = op.Id });
        }
    }

    [Fact]
    public async Task TokenWithoutAnExpiryIsRefusedThoughSignedWithTheServicesKey()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Administrator);

        var withExpiry = Craft(account, expires: app.Clock!.GetUtcNow().AddMinutes(10));
        var withoutExpiry = Craft(account, expires: null);

        Assert.Equal(HttpStatusCode.OK, (await app.ClientWithToken(withExpiry).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithToken(withoutExpiry).GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task TokenWithoutASecurityStampIsRefused()
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Manager);

        var token = Craft(account, expires: app.Clock!.GetUtcNow().AddMinutes(10), stamp: null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ClientWithToken(token).GetAsync("/api/auth/me")).StatusCode);
    }

    private string Craft(Account account, DateTimeOffset? expires, string? stamp = "")
    {
        var now = app.Clock!.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            [ClaimNames.Subject] = account.Id.ToString(),
            [ClaimNames.Name] = account.DisplayName,
            [ClaimNames.Role] = account.Role,
            [ClaimNames.AuthTime] = now.ToUnixTimeSeconds(),
        };
        if (stamp is not null)
        {
            claims[ClaimNames.SecurityStamp] = stamp == "" ? account.SecurityStamp : stamp;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AccessOptions.Issuer,
            Audience = AccessOptions.Issuer,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires?.UtcDateTime,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(SwitchboardApp.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static Task<Exception?> ClosedSignal(HubConnection connection)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };
        return closed.Task;
    }
}
