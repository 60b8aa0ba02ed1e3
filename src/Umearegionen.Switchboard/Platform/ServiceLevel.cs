namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// The service level's two settings (section <c>ServiceLevel</c>), read by the live view (Routing's today
/// figures) and by the reports (Statistics) alike, so the two always count the same way (docs/metrics.md).
/// </summary>
public sealed class ServiceLevelOptions
{
    public const string Section = "ServiceLevel";

    /// <summary>A call answered within this time (whole seconds; exactly at the limit counts) is answered in time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Target { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Callers who hang up after at most this long (whole seconds) are short abandons, left out of the service level.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShortAbandon { get; set; } = TimeSpan.FromSeconds(5);

    public int TargetSeconds => (int)Target.TotalSeconds;

    public int ShortAbandonSeconds => (int)ShortAbandon.TotalSeconds;
}

public static class ServiceLevelRegistration
{
    /// <summary>The settings once under Routing and Statistics each; a deployment still setting them is told where they went.</summary>
    private static readonly string[] Moved =
    [
        "Routing:ServiceLevelTarget", "Routing:ShortAbandon", "Statistics:ServiceLevelTarget", "Statistics:ShortAbandon",
    ];

    public static IServiceCollection AddServiceLevel(this IServiceCollection services)
    {
        services.AddOptions<ServiceLevelOptions>().BindConfiguration(ServiceLevelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceLevelOptions>>(provider => new MovedSettings(provider.GetRequiredService<IConfiguration>()));
        return services;
    }

    private sealed class MovedSettings(IConfiguration configuration) : IValidateOptions<ServiceLevelOptions>
    {
        public ValidateOptionsResult Validate(string? name, ServiceLevelOptions options)
        {
            var stale = Moved.Where(key => configuration[key] is not null).ToList();
            return stale.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{string.Join(", ", stale)} moved to ServiceLevel:Target and ServiceLevel:ShortAbandon (one setting for the live view " +
                    "and the reports); set those instead and remove the old keys.");
        }
    }
}
