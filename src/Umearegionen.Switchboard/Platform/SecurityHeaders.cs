namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Headers on every answer that tell a browser what the dashboard may do: load scripts, styles and
/// images from this service only (data: for the empty favicon), connect only to it (fetch and the
/// hub's WebSocket), never be framed, never guess a content type, never send a Referer.
/// The dashboard has no inline script or style (styles set from JavaScript go through the CSSOM,
/// which a CSP allows); SecurityHeadersTests and the browser's CSP check guard that.
/// </summary>
public static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        // On starting, not before the next middleware: the exception handler clears headers set earlier.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy(context.Request);
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    // 'self' covers ws: and wss: of this origin in CSP Level 3; the explicit entries keep older browsers working.
    private static string Policy(HttpRequest request) =>
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        $"connect-src 'self' ws://{request.Host} wss://{request.Host}; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";
}
