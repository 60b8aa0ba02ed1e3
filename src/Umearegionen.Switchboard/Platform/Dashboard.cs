using Microsoft.AspNetCore.StaticFiles;

namespace Umearegionen.Switchboard.Platform;

/// <summary>The browser dashboard: plain HTML, CSS and JavaScript modules under wwwroot.</summary>
public static class Dashboard
{
    public static WebApplication UseDashboard(this WebApplication app)
    {
        // Name the charset, so å, ä and ö arrive intact whatever the browser guesses.
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".html"] = "text/html; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { ContentTypeProvider = types });
        return app;
    }
}
