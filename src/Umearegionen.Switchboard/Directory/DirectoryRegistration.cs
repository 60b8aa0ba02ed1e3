using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddSingleton<DirectoryChangeFeed>();
        // Heard on the node's own connection (docs/decisions/0029), not on one of its own.
        services.AddSingleton<INodeChannel>(sp => sp.GetRequiredService<DirectoryChangeFeed>());
        // The opening-hours feature registers its own IUnitOpenStatus; until then every unit is "unknown".
        services.TryAddSingleton<IUnitOpenStatus, NoOpeningHoursYet>();
        services.AddSingleton<IDemoData, DirectoryDemoData>();
        return services;
    }

    public static RouteGroupBuilder MapDirectory(this IEndpointRouteBuilder app)
    {
        // Everyone signed in reads; the endpoints that change add Policies.Editors.
        var directory = app.MapGroup("/api/directory").WithTags("Directory").RequireAuthorization(Policies.Staff)
            .AddEndpointFilter(SimultaneousChange);
        directory.MapMunicipalities();
        directory.MapPopulations();
        directory.MapUnits();
        directory.MapPeople();
        directory.MapDirectorySearch();
        directory.MapSynonyms();
        directory.MapDirectoryImport();
        directory.MapReviewAndHistory();
        return directory;
    }

    /// <summary>
    /// The checks run inside the writing transaction, but two changes at the same instant can still
    /// collide on a database rule (the same external key, a unit removed while a person is added to
    /// it). The transaction is rolled back, so nothing is half-written; the caller is told to retry.
    /// </summary>
    internal static async ValueTask<object?> SimultaneousChange(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation)
        {
            return Problems.Conflict(e.SqlState == PostgresErrorCodes.UniqueViolation
                ? "Another change used the same key at the same moment. Nothing was saved; reload and try again."
                : "An entry this change refers to was changed or removed at the same moment. Nothing was saved; reload and try again.");
        }
    }
}
