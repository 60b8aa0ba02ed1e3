using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Umearegionen.Switchboard.Platform;

public static class OpenApi
{
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddOpenApi(o => o.AddDocumentTransformer<SecuritySchemes>());
        return services;
    }

    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(o => o.WithTitle("Umeåregionens växel – API")).AllowAnonymous();
        return app;
    }

    // Describe how callers authenticate, so the interactive page can send a token or an API key.
    private sealed class SecuritySchemes : IOpenApiDocumentTransformer
    {
        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
        {
            document.Info.Title = "Umeåregionens växel";
            document.Info.Description =
                "The shared switchboard of Bjurholm, Nordmaling, Robertsfors, Umeå, Vindeln and Vännäs. " +
                "People sign in at POST /api/auth/login and send the token as `Authorization: Bearer ...`; " +
                "the telephony platform sends its API key in the `X-Api-Key` header.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "Token from POST /api/auth/login (or the municipalities' identity provider).",
            };
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                Description = "API key of an integrated system (the telephony platform).",
            };
            return Task.CompletedTask;
        }
    }
}
