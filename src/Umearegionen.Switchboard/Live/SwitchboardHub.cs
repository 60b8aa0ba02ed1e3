using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Umearegionen.Switchboard.Live;

/// <summary>
/// The one hub every dashboard connects to. It stays thin: it checks who calls and delegates to
/// the features; features push through IHubContext&lt;SwitchboardHub, ISwitchboardClient&gt; to groups.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed partial class SwitchboardHub : Hub<ISwitchboardClient>
{
    public const string Path = "/hubs/switchboard";

    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Staff);
        if (user.IsInRole(Roles.Operator))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Operators);
        }

        if (user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Administrator))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Managers);
        }

        if (user.MunicipalityCode() is { } code)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Municipality(code));
        }

        await RoutingConnectedAsync();
        Context.GetHttpContext()?.RequestServices.GetRequiredService<LocalHubConnections>().Opened(Context);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        Context.GetHttpContext()?.RequestServices.GetRequiredService<LocalHubConnections>().Closed(Context);
        await RoutingDisconnectedAsync();
        await base.OnDisconnectedAsync(exception);
    }
}

public static class LiveRegistration
{
    public static IServiceCollection AddLive(this IServiceCollection services)
    {
        // Every error of an invocation carries a code (docs/hub.md, "Errors"). The filters, outermost first:
        // failures leave as server-error; an ended session is told so (account-revoked, Access); then the
        // method's role is checked (forbidden); then the arguments (invalid).
        services.AddSignalR(o =>
        {
            o.EnableDetailedErrors = false;
            o.AddFilter<HubFailures>();
            o.AddFilter<SessionHubFilter>();
            o.AddFilter<HubRefusals>();
            o.AddFilter<HubInputFilter>();
        });

        // Arguments SignalR cannot read into the method's types are refused as invalid, too (HubArgumentProtocol);
        // registered after AddSignalR's JsonHubProtocol, which it replaces under the name "json".
        services.AddSingleton<IHubProtocol, HubArgumentProtocol>();
        return services;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHub<SwitchboardHub>(SwitchboardHub.Path);
        return app;
    }
}
