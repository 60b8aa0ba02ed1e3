using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.OpeningHours;

public sealed class OpeningHoursOptions
{
    public const string Section = "OpeningHours";

    /// <summary>An open unit closing within this long is flagged "closes soon", so operators are warned before transferring.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "04:00:00", ErrorMessage = "OpeningHours:ClosingSoonWarning must be between 00:00:00 and 04:00:00.")]
    public TimeSpan ClosingSoonWarning { get; set; } = TimeSpan.FromMinutes(15);
}

public static class OpeningHoursRegistration
{
    /// <summary>All opening hours are local to Sweden, whatever the server's own time zone.</summary>
    public const string TimeZoneId = "Europe/Stockholm";

    public static IServiceCollection AddOpeningHours(this IServiceCollection services)
    {
        services.AddOptions<OpeningHoursOptions>().BindConfiguration(OpeningHoursOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new OpeningHoursEvaluator(TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId)));
        services.AddSingleton<OpeningHoursEvents>();

        // Replaces the directory's placeholder that reports every unit as "unknown".
        services.Replace(ServiceDescriptor.Singleton<IUnitOpenStatus, UnitOpenStatus>());
        services.AddSingleton<IDemoData, OpeningHoursDemoData>();
        services.Configure<OpenApiOptions>("v1", o => o.AddSchemaTransformer<OpeningHoursSchemas>());
        return services;
    }

    public static RouteGroupBuilder MapOpeningHours(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/api/opening-hours").WithTags("Opening hours").RequireAuthorization(Policies.Staff);
        var changes = app.MapGroup("/api/opening-hours").WithTags("Opening hours").RequireAuthorization(Policies.Editors);
        UnitHoursApi.MapUnitHours(reads, changes);
        OpeningHoursViewsApi.MapOpeningHoursViews(reads);
        HolidayPolicyApi.MapHolidayPolicies(reads, changes);
        SwitchboardHoursApi.MapSwitchboardHours(reads, changes);
        return reads;
    }
}
