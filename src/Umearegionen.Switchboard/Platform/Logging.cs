using System.Security.Cryptography;
using Serilog;
using Serilog.Formatting.Compact;

namespace Umearegionen.Switchboard.Platform;

public sealed class LoggingOptions
{
    public const string Section = "LogOutput";

    /// <summary>Write compact JSON (one event per line) instead of text for a person.</summary>
    public bool Json { get; set; }
}

public static class Logging
{
    public static IHostApplicationBuilder AddLogging(this IHostApplicationBuilder builder)
    {
        var json = builder.Configuration.GetValue<bool>($"{LoggingOptions.Section}:{nameof(LoggingOptions.Json)}");
        // preserveStaticLogger: this host's loggers write to this host's pipeline, never to the static
        // Log.Logger, which the last host built in the process would own (several hosts share a test run).
        builder.Services.AddSerilog((services, lc) =>
        {
            lc.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                // A hub refusal is the client's to act on: Live/HubFailures logs it as Information; SignalR's
                // dispatcher would log it again as an error with a stack trace.
                .Filter.ByExcluding(e => e.Exception is Microsoft.AspNetCore.SignalR.HubException
                    && e.Properties.TryGetValue("SourceContext", out var source)
                    && source.ToString() == "\"Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher\"");
            if (json)
            {
                lc.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                lc.WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        }, preserveStaticLogger: true);
        return builder;
    }

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        // RequestPath carries no query string, so search terms (which may be citizens' names) stay out.
        // The host's own logger: without it the middleware would write to the static Log.Logger.
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = logger;
            o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            // A load balancer asks every node for its health each second: those answers are logged only
            // when they say something is wrong.
            o.GetLevel = (http, _, ex) =>
                ex is not null ? Serilog.Events.LogEventLevel.Error
                : http.Request.Path.StartsWithSegments("/health")
                    ? (http.Response.StatusCode == 200 ? Serilog.Events.LogEventLevel.Debug : Serilog.Events.LogEventLevel.Warning)
                : http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
                : Serilog.Events.LogEventLevel.Information;
        });
        return app;
    }
}

/// <summary>
/// Personal data (caller numbers, citizens' names) never reaches a log in clear. Log the
/// pseudonym instead: the same number gives the same pseudonym within a deployment, so support
/// can follow one caller's calls without the log revealing who it is.
/// </summary>
public static class PersonalData
{
    private static readonly byte[] Salt = RandomNumberGenerator.GetBytes(16);

    public static string Pseudonym(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "none";
        }

        var hash = HMACSHA256.HashData(Salt, Encoding.UTF8.GetBytes(value));
        return "p:" + Convert.ToHexStringLower(hash.AsSpan(0, 6));
    }
}
