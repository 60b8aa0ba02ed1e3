using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.Guidance;

/// <summary>Pushes a link's status to the screens of the operator who sent it (through the backplane: the sender runs on the leader).</summary>
public sealed class GuidanceNotifier(IHubContext<SwitchboardHub, ISwitchboardClient> hub)
{
    public Task UpdatedAsync(Guid operatorId, GuidanceView view) =>
        hub.Clients.Group(HubGroups.Account(operatorId.ToString())).GuidanceUpdated(view);
}

/// <summary>Another node queued a link: this node's sender looks now (it acts only while leading).</summary>
internal sealed class GuidanceSignals(ClusterSignals signals, GuidanceSender sender) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        signals.On(Signal.Guidance, sender.WakeHere);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class GuidanceRegistration
{
    public static IServiceCollection AddGuidance(this IServiceCollection services)
    {
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.BaseUrl.Length == 0 || (Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"),
                "Sms:BaseUrl must be empty or an absolute http(s) address such as https://sms.example.se/v1.")
            .ValidateOnStart();
        services.AddHttpClient(GuidanceSender.HttpClientName);
        services.AddSingleton<GuidanceNotifier>();
        services.AddSingleton<GuidanceSends>();
        services.AddSingleton<GuidanceSender>();
        services.AddHostedService(sp => sp.GetRequiredService<GuidanceSender>());
        services.AddHostedService<GuidanceSignals>();
        return services;
    }
}
