using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Umearegionen.Switchboard.Access;
using Umearegionen.Switchboard.Directory.Demo;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.Directory;

public sealed class DirectoryOptions
{
    public const string Section = "Directory";

    /// <summary>Entries not reviewed within this period are listed as overdue for their municipality's editors.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan ReviewPeriod { get; set; } = TimeSpan.FromDays(180);
}

public static class DirectoryRegistration
{
    public static IServiceCollection AddDirectory(this IServiceCollection services)
    {
        services.AddOptions<DirectoryOptions>()
            .BindConfiguration(DirectoryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DirectoryEvents>();
        // The opening-hours feature registers its own IUnitOpenStatus; until then every unit is "unknown".
        services.TryAddSingleton<IUnitOpenStatus, NoOpeningHoursYet>();
        services.AddSingleton<IDemoData, DirectoryDemoData>();
        return services;
    }

    public static RouteGroupBuilder MapDirectory(this IEndpointRouteBuilder app)
    {
        // Everyone signed in reads; the endpoints that change add Policies.Editors.
        var directory = app.MapGroup("/api/directory").WithTags("Directory").RequireAuthorization(Policies.Staff);
        directory.MapMunicipalities();
        directory.MapUnits();
        directory.MapPeople();
        directory.MapDirectorySearch();
        directory.MapDirectoryImport();
        directory.MapReviewAndHistory();
        return directory;
    }
}
