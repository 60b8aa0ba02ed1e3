using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.Statistics;

public static class StatisticsAccess
{
    /// <summary>Managers and administrators (every municipality) and editors (their own).</summary>
    public const string Readers = "statistics-readers";
}

public static class StatisticsRegistration
{
    public static IServiceCollection AddStatistics(this IServiceCollection services)
    {
        services.AddOptions<StatisticsOptions>().BindConfiguration(StatisticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthorizationBuilder()
            .AddPolicy(StatisticsAccess.Readers, p => p.RequireRole(Roles.Manager, Roles.Administrator, Roles.Editor));
        services.AddSingleton<Summaries>();
        services.AddSingleton<CostSplits>();
        services.AddHostedService<StatisticsSettingsWriter>();
        services.AddHostedService<RollupFlush>();
        services.AddSingleton<StatisticsDemoData>();
        services.AddSingleton<IDemoData>(sp => sp.GetRequiredService<StatisticsDemoData>());
        return services;
    }

    public static IEndpointRouteBuilder MapStatistics(this IEndpointRouteBuilder app)
    {
        app.MapStatisticsApi();
        app.MapCallbackFollowUps();
        app.MapOperatorDay();
        app.MapIntraday();
        return app;
    }
}

/// <summary>The database triggers read the bounce-back window; the service writes it there at start.</summary>
internal sealed class StatisticsSettingsWriter(NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await conn.ExecuteAsync(new CommandDefinition(
            "update statistics_settings set bounce_back_window = @window",
            new { window = options.Value.BounceBackWindow }, cancellationToken: cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
