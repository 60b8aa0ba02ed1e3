namespace Umearegionen.Switchboard.Routing;

public static class RoutingRegistration
{
    public static IServiceCollection AddCallRouting(this IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TelephonyOptions>().BindConfiguration(TelephonyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<LiveChanges>();
        services.AddSingleton<RoutingNotifier>();
        services.AddSingleton<NoticeBoard>();
        services.AddSingleton<Instructions>();
        services.AddSingleton<CallIntake>();
        services.AddSingleton<PlatformReports>();
        services.AddSingleton<OperatorPresence>();
        services.AddSingleton<Access.ISessionEndHandler, OperatorSessionEnd>();
        services.AddSingleton<Destinations>();
        services.AddSingleton<CallHandling>();
        services.AddSingleton<RecentContacts>();
        services.AddSingleton<LiveView>();
        services.AddSingleton<TodayCounts>();
        services.AddSingleton<CallHistory>();

        services.AddSingleton<Dispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<Dispatcher>());
        services.AddSingleton<Sweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<Sweeper>());
        services.AddSingleton<MessageSender>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageSender>());
        services.AddSingleton<LiveSnapshots>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveSnapshots>());
        services.AddHostedService<RoutingSignals>();
        return services;
    }

    public static IEndpointRouteBuilder MapCallRouting(this IEndpointRouteBuilder app)
    {
        app.MapTelephony();
        app.MapNotices();
        app.MapCallHistory();
        return app;
    }
}
