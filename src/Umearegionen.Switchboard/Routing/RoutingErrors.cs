namespace Umearegionen.Switchboard.Routing;

/// <summary>Hub errors reach the client as "code: message" (codes in <see cref="HubErrors"/>, listed in docs/hub.md).</summary>
public static class RoutingErrors
{
    public static HubException Of(string code, string message) => new($"{code}: {message}");

    public static HubException Invalid(string message) => Of(HubErrors.Invalid, message);

    public static HubException NotFound(string message) => Of(HubErrors.NotFound, message);
}
