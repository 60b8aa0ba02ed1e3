using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;

namespace Umearegionen.Switchboard.Access;

public static class AccessRegistration
{
    public const string SmartScheme = "switchboard";
    public const string OwnTokenScheme = JwtBearerDefaults.AuthenticationScheme;
    public const string OidcScheme = "oidc";
    public const string LoginRateLimit = "login";

    public static IHostApplicationBuilder AddAccess(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccessOptions>()
            .BindConfiguration(AccessOptions.Section)
            .PostConfigure(SigningKeyFile.Apply)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton<IPasswordHasher<AccountCredentials>, PasswordHasher<AccountCredentials>>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<Accounts>();
        services.AddSingleton<ApiKeys>();
        services.AddSingleton<Platform.AccessLog>();
        services.AddMemoryCache();

        // Revocation at once: every request, refresh and hub invocation checks the token's security stamp,
        // and each node closes its hub connections whose sessions ended (docs/decisions/0005).
        services.AddSingleton<Sessions>();
        services.AddHostedService<RevokedConnections>();
        // Its place among the hub's filters is set with the others (Live.LiveRegistration).
        services.AddSingleton<SessionHubFilter>();

        var oidc = builder.Configuration.GetSection($"{AccessOptions.Section}:Oidc").Get<OidcOptions>() ?? new OidcOptions();

        var authentication = services.AddAuthentication(SmartScheme)
            // Picks the scheme from what the caller sent: an API key, a token of ours, or the IdP's token.
            .AddPolicyScheme(SmartScheme, "API key or bearer token", o => o.ForwardDefaultSelector = ctx =>
            {
                if (ctx.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName))
                {
                    return ApiKeyAuthenticationHandler.SchemeName;
                }

                return oidc.Enabled && !TokenIssuer.IsOwnToken(BearerToken(ctx.Request)) ? OidcScheme : OwnTokenScheme;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(OwnTokenScheme, o =>
            {
                o.MapInboundClaims = false;
                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = ReadHubTokenFromQuery,
                    OnTokenValidated = RefuseEndedSessions,
                };
            });

        services.AddOptions<JwtBearerOptions>(OwnTokenScheme)
            .Configure<IOptions<AccessOptions>, TimeProvider>((o, access, time) =>
                o.TokenValidationParameters = TokenIssuer.ValidationParameters(access.Value, time));

        if (oidc.Enabled)
        {
            authentication.AddJwtBearer(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.Audience = oidc.Audience;
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    RoleClaimType = oidc.RoleClaim,
                    NameClaimType = ClaimNames.Name,
                };
                o.Events = new JwtBearerEvents
                {
                    OnMessageReceived = ReadHubTokenFromQuery,
                    OnTokenValidated = ctx => MapIdentityProviderClaims(ctx, oidc),
                };
            });
        }

        services.AddAuthorizationBuilder()
            // Default deny: an endpoint that names no policy is refused to everyone.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
                .RequireAssertion(_ => false).Build())
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.People))
            .AddPolicy(Policies.Operators, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Policies.Editors, p => p.RequireRole(Roles.Editor, Roles.Administrator))
            .AddPolicy(Policies.Managers, p => p.RequireRole(Roles.Manager, Roles.Administrator))
            .AddPolicy(Policies.Administrators, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(Policies.Telephony, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireRole(Roles.Telephony));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginRateLimit, ctx =>
            {
                var limit = ctx.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.LoginAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(
                    ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1) });
            });
            o.OnRejected = async (ctx, ct) =>
            {
                // When the window lets this address try again; a minute if the limiter does not say.
                var retryAfter = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                ctx.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var problems = ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many login attempts",
                        Detail = "Too many login attempts from this address. Wait a minute and try again.",
                    },
                });
            };
        });

        return builder;
    }

    /// <summary>
    /// Authentication and authorization, after answering what has no endpoint to protect: a path that
    /// matches none is a 404, one that exists only for other methods routing's 405 and a body of a
    /// type the endpoint does not read routing's 415, rather than the fallback policy's 401 or 403.
    /// </summary>
    public static WebApplication UseAccess(this WebApplication app)
    {
        app.Use((context, next) => context.GetEndpoint() switch
        {
            null => NotFound(context),
            { DisplayName: MethodNotAllowed or UnsupportedMediaType, RequestDelegate: { } refusal } => refusal(context),
            _ => next(context),
        });
        app.UseAuthentication();
        app.UseAuthorization();
        return app;

        // The status code pages (Problems.UseProblems) write the problem details on the way out.
        static Task NotFound(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
    }

    // Routing's stand-in endpoints when the path exists for other methods (HttpMethodMatcherPolicy)
    // or other content types (AcceptsMatcherPolicy): they only set the status.
    private const string MethodNotAllowed = "405 HTTP Method Not Supported";
    private const string UnsupportedMediaType = "415 HTTP Unsupported Media Type";

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Path.StartsWithSegments("/hubs") ? request.Query["access_token"].ToString() : null;
    }

    // Browsers cannot set headers on WebSocket and server-sent-event requests, so SignalR sends the token in the query.
    private static Task ReadHubTokenFromQuery(MessageReceivedContext ctx)
    {
        var token = ctx.Request.Query["access_token"];
        if (!string.IsNullOrEmpty(token) && ctx.HttpContext.Request.Path.StartsWithSegments("/hubs"))
        {
            ctx.Token = token;
        }

        return Task.CompletedTask;
    }

    // A token of ours whose account was disabled, had its password set or its role changed since it was issued.
    private static async Task RefuseEndedSessions(TokenValidatedContext ctx)
    {
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<Sessions>();
        if (ctx.Principal is null || !await sessions.IsCurrentAsync(ctx.Principal, ctx.HttpContext.RequestAborted))
        {
            ctx.Fail("The session has ended: the account was disabled, its password was set or its role changed. Sign in again.");
        }
    }

    // The identity provider names roles and municipality its own way; map them onto ours.
    private static Task MapIdentityProviderClaims(TokenValidatedContext ctx, OidcOptions oidc)
    {
        if (ctx.Principal?.Identity is not ClaimsIdentity identity)
        {
            return Task.CompletedTask;
        }

        foreach (var role in identity.FindAll(oidc.RoleClaim).Select(c => c.Value).ToList())
        {
            if (Roles.IsPersonRole(role) && !identity.HasClaim(ClaimNames.Role, role))
            {
                identity.AddClaim(new Claim(ClaimNames.Role, role));
            }
        }

        var municipality = identity.FindFirst(oidc.MunicipalityClaim)?.Value;
        if (municipality is not null && identity.FindFirst(ClaimNames.Municipality) is null)
        {
            identity.AddClaim(new Claim(ClaimNames.Municipality, municipality));
        }

        return Task.CompletedTask;
    }
}
