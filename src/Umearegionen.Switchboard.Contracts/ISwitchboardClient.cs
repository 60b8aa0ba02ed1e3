namespace Umearegionen.Switchboard.Contracts;

/// <summary>
/// What the service pushes to connected dashboards over the hub at /hubs/switchboard. Shared by
/// the service, the tests, the simulator and the load tests, so a renamed event fails to compile
/// everywhere at once. Documented in docs/hub.md.
/// </summary>
public interface ISwitchboardClient
{
    // Routing (docs/hub.md): to one operator.
    Task OfferReceived(CallOffer offer);

    Task OfferWithdrawn(OfferWithdrawn withdrawn);

    Task OperatorStateChanged(OperatorState state);

    Task CallUpdated(CallView call);

    // Routing: coalesced snapshots to operators and managers, notices to all staff.
    Task QueueChanged(QueueSnapshot queue);

    Task ManagerViewChanged(ManagerView view);

    Task NoticesChanged(IReadOnlyList<NoticeView> notices);
}

/// <summary>Hub groups a connection joins on connecting, by the caller's role and municipality.</summary>
public static class HubGroups
{
    public const string Staff = "staff";
    public const string Operators = "operators";
    public const string Managers = "managers";

    public static string Municipality(string code) => "municipality:" + code;

    /// <summary>Every connection of one account (an operator signed in on two screens gets both).</summary>
    public static string Account(string accountId) => "account:" + accountId;
}
