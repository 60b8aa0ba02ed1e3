namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Answers that carry personal data (a caller's number, a citizen's name, an extract, the access
/// log) are sent with <c>Cache-Control: no-store</c>: no copy is kept by a browser or a proxy.
/// </summary>
public static class NoStore
{
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
}
