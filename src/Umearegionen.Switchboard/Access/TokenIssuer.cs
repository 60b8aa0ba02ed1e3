using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Umearegionen.Switchboard.Access;

public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>Issues the service's own short-lived bearer tokens for locally managed accounts.</summary>
public sealed class TokenIssuer(IOptions<AccessOptions> options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>
    /// A token for the account as it is now, carrying its security stamp. <paramref name="authTime"/> is
    /// when the session began (the login); a refresh passes on the one it was given, so a session ends
    /// Access:SessionLifetime after its login however often it is refreshed.
    /// </summary>
    public IssuedToken Issue(Account account, DateTimeOffset? authTime = null)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        var claims = new Dictionary<string, object>
        {
            [ClaimNames.Subject] = account.Id.ToString(),
            [ClaimNames.Name] = account.DisplayName,
            [ClaimNames.Role] = account.Role,
            [ClaimNames.PreferredUsername] = account.Username,
            [ClaimNames.SecurityStamp] = account.SecurityStamp,
            [ClaimNames.AuthTime] = (authTime ?? now).ToUnixTimeSeconds(),
        };
        if (account.MunicipalityCode is not null)
        {
            claims[ClaimNames.Municipality] = account.MunicipalityCode;
        }

        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AccessOptions.Issuer,
            Audience = AccessOptions.Issuer,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key(options.Value), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, expires);
    }

    /// <summary>
    /// Tokens are checked against the same clock that issued them (the injected TimeProvider), so
    /// the service never disagrees with itself about whether a token has started or run out. A token
    /// without an expiry is refused: one signed by mistake (or with a leaked key) would never run out.
    /// </summary>
    public static TokenValidationParameters ValidationParameters(AccessOptions options, TimeProvider time) => new()
    {
        RequireExpirationTime = true,
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } exp && now <= exp + parameters.ClockSkew
                && (notBefore is not { } nb || now >= nb - parameters.ClockSkew);
        },
        ValidIssuer = AccessOptions.Issuer,
        ValidAudience = AccessOptions.Issuer,
        IssuerSigningKey = Key(options),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = ClaimNames.Name,
        RoleClaimType = ClaimNames.Role,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>Whether a bearer token was issued by this service (rather than the municipalities' IdP).</summary>
    public static bool IsOwnToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || !Handler.CanReadToken(token))
        {
            return false;
        }

        return string.Equals(Handler.ReadJsonWebToken(token).Issuer, AccessOptions.Issuer, StringComparison.Ordinal);
    }

    /// <summary>When the session of a token of ours began (its auth_time claim); null if it has none.</summary>
    public static DateTimeOffset? AuthTime(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimNames.AuthTime), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Whether the principal was signed in with a token of ours (not the municipalities' IdP).</summary>
    public static bool IsOwnToken(ClaimsPrincipal user) =>
        string.Equals(user.FindFirstValue(ClaimNames.Issuer), AccessOptions.Issuer, StringComparison.Ordinal);

    private static SymmetricSecurityKey Key(AccessOptions options) =>
        new(Convert.FromBase64String(options.SigningKey ?? throw new InvalidOperationException("Access:SigningKey is not set.")));
}
