using System.Text.RegularExpressions;

namespace Umearegionen.Switchboard.Access;

public sealed record CreateAccountRequest(string? Username, string? DisplayName, string? Role, string? MunicipalityCode, string? Password);

public sealed record SetPasswordRequest(string? Password);

public sealed record SetRoleRequest(string? Role, string? MunicipalityCode);

public sealed record CreateApiKeyRequest(string? Name);

/// <summary>Administrators manage people's accounts and the systems' API keys.</summary>
public static partial class AccountsApi
{
    public const int MinPasswordLength = 12;

    public static RouteGroupBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/accounts").WithTags("Access").RequireAuthorization(Policies.Administrators).WithNoStore();
        accounts.MapGet("/", async (Accounts store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)))
            .WithSummary("All local accounts.");
        accounts.MapPost("/", Create).WithSummary("Create a local account.");
        accounts.MapPost("/{id:guid}/unlock", (Guid id, Accounts store, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(id, store.UnlockAsync(id, AccessActor.Of(user), ct)))
            .WithSummary("Lift a lockout after failed logins.");
        accounts.MapPost("/{id:guid}/disable", (Guid id, Accounts store, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(id, store.SetDisabledAsync(id, true, AccessActor.Of(user), ct)))
            .WithSummary("Disable an account: it can no longer sign in, its tokens stop working and its hub connections close within seconds.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        accounts.MapPost("/{id:guid}/enable", (Guid id, Accounts store, ClaimsPrincipal user, CancellationToken ct) =>
                Answer(id, store.SetDisabledAsync(id, false, AccessActor.Of(user), ct)))
            .WithSummary("Enable a disabled account.");
        accounts.MapPut("/{id:guid}/password", SetPassword)
            .WithSummary("Set a new password for an account; the account's tokens stop working and it signs in again.");
        accounts.MapPut("/{id:guid}/role", SetRole)
            .WithSummary("Change an account's role and municipality; the tokens issued for the old role stop working.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        var keys = app.MapGroup("/api/api-keys").WithTags("Access").RequireAuthorization(Policies.Administrators);
        keys.MapGet("/", async (ApiKeys store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)))
            .WithSummary("API keys of the integrated systems (never the keys themselves).");
        keys.MapPost("/", CreateApiKey).WithSummary("Create an API key for the telephony platform; the key is shown only in this answer.");
        keys.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, ApiKeys store, ClaimsPrincipal user, CancellationToken ct) =>
                await store.RevokeAsync(id, AccessActor.Of(user), ct) ? TypedResults.NoContent() : Problems.NotFound($"No active API key has id {id}."))
            .WithSummary("Revoke an API key.");
        return accounts;
    }

    private static async Task<Results<Created<Account>, ValidationProblem, ProblemHttpResult>> Create(
        CreateAccountRequest request, Accounts store, NpgsqlDataSource dataSource, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, dataSource, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        try
        {
            var municipality = string.IsNullOrWhiteSpace(request.MunicipalityCode) ? null : request.MunicipalityCode;
            var account = await store.CreateAsync(new NewAccount(request.Username!, request.DisplayName!, request.Role!,
                municipality, request.Password!), AccessActor.Of(user), ct);
            return TypedResults.Created($"/api/accounts/{account.Id}", account);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Problems.Conflict($"The username '{request.Username}' is already taken; choose another.");
        }
    }

    public static async Task<FieldErrors> ValidateAsync(CreateAccountRequest request, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("username", request.Username, 64);
        if (!string.IsNullOrWhiteSpace(request.Username) && !UsernamePattern().IsMatch(request.Username))
        {
            errors.Add("username", "username may contain only letters a-z, digits and . _ - @ (3 to 64 characters).");
        }

        errors.Required("displayName", request.DisplayName, 100);
        errors.SingleLine("displayName", request.DisplayName);
        await ValidateRoleAsync(errors, request.Role, request.MunicipalityCode, dataSource, ct);
        ValidatePassword(errors, request.Password);
        return errors;
    }

    private static void ValidatePassword(FieldErrors errors, string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            errors.Add("password", $"password must be at least {MinPasswordLength} characters.");
        }
        else if (password.Length > 256)
        {
            errors.Add("password", "password must be at most 256 characters.");
        }
    }

    private static async Task ValidateRoleAsync(
        FieldErrors errors, string? role, string? municipalityCode, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (role is null || !Roles.IsPersonRole(role))
        {
            errors.Add("role", $"role must be one of: {string.Join(", ", Roles.People)}.");
        }

        if (role == Roles.Editor && string.IsNullOrWhiteSpace(municipalityCode))
        {
            errors.Add("municipalityCode", "An editor must belong to a municipality: give its code, e.g. 2480 for Umeå.");
        }

        if (!string.IsNullOrWhiteSpace(municipalityCode))
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var exists = municipalityCode.Length <= 10 && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from municipalities where code = @code)", new { code = municipalityCode }, cancellationToken: ct));
            if (!exists)
            {
                errors.Add("municipalityCode", $"No municipality has code '{municipalityCode}'.");
            }
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Answer(Guid id, Task<AccountChange> change) =>
        await change switch
        {
            AccountChange.Done => TypedResults.NoContent(),
            AccountChange.Refused r => Problems.Conflict(r.Reason),
            _ => Problems.NotFound($"No account has id {id}."),
        };

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetPassword(
        Guid id, SetPasswordRequest request, Accounts store, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        ValidatePassword(errors, request.Password);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return await store.SetPasswordAsync(id, request.Password!, AccessActor.Of(user), ct) switch
        {
            AccountChange.Done => TypedResults.NoContent(),
            AccountChange.Refused r => Problems.Conflict(r.Reason),
            _ => Problems.NotFound($"No account has id {id}."),
        };
    }

    private static async Task<Results<Ok<Account>, ValidationProblem, ProblemHttpResult>> SetRole(
        Guid id, SetRoleRequest request, Accounts store, NpgsqlDataSource dataSource, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        await ValidateRoleAsync(errors, request.Role, request.MunicipalityCode, dataSource, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var municipality = string.IsNullOrWhiteSpace(request.MunicipalityCode) ? null : request.MunicipalityCode;
        return await store.SetRoleAsync(id, request.Role!, municipality, AccessActor.Of(user), ct) switch
        {
            AccountChange.Done d => TypedResults.Ok(d.Account),
            AccountChange.Refused r => Problems.Conflict(r.Reason),
            _ => Problems.NotFound($"No account has id {id}."),
        };
    }

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateApiKey(
        CreateApiKeyRequest request, ApiKeys store, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("name", request.Name, 100);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var created = await store.CreateAsync(request.Name!, Roles.Telephony, AccessActor.Of(user), ct);
        return TypedResults.Created($"/api/api-keys/{created.Info.Id}", created);
    }

    [GeneratedRegex("^[a-z0-9._@-]{3,64}$")]
    private static partial Regex UsernamePattern();
}
