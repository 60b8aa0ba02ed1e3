namespace Umearegionen.Switchboard.Access;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record LoginResponse(string AccessToken, DateTimeOffset ExpiresAt, UserInfo User);

public sealed record UserInfo(string Id, string Username, string DisplayName, string Role, string? MunicipalityCode);

public static class AuthApi
{
    public static RouteGroupBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Access");

        group.MapPost("/login", Login)
            .AllowAnonymous()
            .RequireRateLimiting(AccessRegistration.LoginRateLimit)
            .WithSummary("Sign in with a local account and receive a short-lived bearer token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/refresh", Refresh)
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Exchange a valid token for a fresh one (the account must still be active).");

        group.MapGet("/me", Me)
            .RequireAuthorization(Policies.Staff)
            .WithSummary("Who the caller is: role and municipality.");

        return group;
    }

    private static async Task<Results<Ok<LoginResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, Accounts accounts, TokenIssuer tokens, CancellationToken ct)
    {
        var errors = new FieldErrors();
        errors.Required("username", request.Username, 64);
        errors.Required("password", request.Password, 256);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // A locked account answers as an unknown user does (Accounts.LoginAsync); the administrator sees the lock.
        return await accounts.LoginAsync(request.Username!, request.Password!, ct) switch
        {
            LoginResult.Success s => TypedResults.Ok(Response(s.Account, tokens.Issue(s.Account))),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
                title: "Login failed",
                detail: "Wrong username or password. After several failed attempts the account is locked for a while."),
        };
    }

    /// <summary>
    /// A fresh token for a session that is still valid: the account active, its security stamp the
    /// token's (read from the database, not a node's cache) and the login no longer ago than
    /// Access:SessionLifetime. The new token keeps the login's time.
    /// </summary>
    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> Refresh(
        ClaimsPrincipal user, Accounts accounts, TokenIssuer tokens, TimeProvider time, IOptions<AccessOptions> options,
        CancellationToken ct)
    {
        if (!TokenIssuer.IsOwnToken(user) || !Guid.TryParse(user.Id(), out var id) || await accounts.FindAsync(id, ct) is not { } account)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a local account",
                detail: "Only tokens issued by this service can be refreshed; sign in with your identity provider again.");
        }

        var now = time.GetUtcNow();
        if (account.Disabled || account.LockedUntil > now)
        {
            return SessionEnded("Account not active", "The account is disabled or locked; ask an administrator.");
        }

        if (!string.Equals(user.FindFirstValue(ClaimNames.SecurityStamp), account.SecurityStamp, StringComparison.Ordinal))
        {
            return SessionEnded("Session ended",
                "An administrator has set the account's password or changed its role since you signed in; sign in again.");
        }

        if (TokenIssuer.AuthTime(user) is not { } authTime || now - authTime > options.Value.SessionLifetime)
        {
            return SessionEnded("Session too old",
                $"A session lasts at most {options.Value.SessionLifetime.TotalHours:0.##} hours from sign-in; sign in again.");
        }

        return TypedResults.Ok(Response(account, tokens.Issue(account, authTime)));
    }

    private static ProblemHttpResult SessionEnded(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: title, detail: detail);

    private static Ok<UserInfo> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new UserInfo(user.Id(), user.FindFirstValue(ClaimNames.PreferredUsername) ?? user.DisplayName(),
            user.DisplayName(), user.FindFirstValue(ClaimNames.Role) ?? "", user.MunicipalityCode()));

    private static LoginResponse Response(Account a, IssuedToken token) =>
        new(token.AccessToken, token.ExpiresAt, new UserInfo(a.Id.ToString(), a.Username, a.DisplayName, a.Role, a.MunicipalityCode));
}
