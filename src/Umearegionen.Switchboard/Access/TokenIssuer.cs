using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Umearegionen.Switchboard.Access;

public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt);

/// <summary>Issues the service's own short-lived bearer tokens for locally managed accounts.</summary>
public sealed class TokenIssuer(IOptions<AccessOptions> options, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public IssuedToken Issue(Account account)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        var claims = new Dictionary<string, object>
        {
            [ClaimNames.Subject] = account.Id.ToString(),
            [ClaimNames.Name] = account.DisplayName,
            [ClaimNames.Role] = account.Role,
            ["preferred_username"] = account.Username,
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
    /// the service never disagrees with itself about whether a token has started or run out.
    /// </summary>
    public static TokenValidationParameters ValidationParameters(AccessOptions options, TimeProvider time) => new()
    {
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return (notBefore is not { } nb || now >= nb - parameters.ClockSkew)
                && (expires is not { } exp || now <= exp + parameters.ClockSkew);
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

    private static SymmetricSecurityKey Key(AccessOptions options) =>
        new(Convert.FromBase64String(options.SigningKey ?? throw new InvalidOperationException("Access:SigningKey is not set.")));
}
