namespace Umearegionen.Switchboard.Contracts;

/// <summary>
/// What the service pushes to connected dashboards over the hub at /hubs/switchboard. Shared by
/// the service, the tests, the simulator and the load tests, so a renamed event fails to compile
/// everywhere at once. Documented in docs/hub.md.
/// </summary>
public interface ISwitchboardClient
{
    /// <summary>A directory entry (unit, person, municipality) was created, changed, reviewed or removed.</summary>
    Task DirectoryChanged(DirectoryChange change);

    /// <summary>Opening hours changed: a unit's hours, a municipality's holiday policy or the switchboard's own hours.</summary>
    Task OpeningHoursChanged(OpeningHoursChange change);

    // Routing (docs/hub.md): to one operator.
    Task OfferReceived(CallOffer offer);

    Task OfferWithdrawn(OfferWithdrawn withdrawn);

    Task OperatorStateChanged(OperatorState state);

    Task CallUpdated(CallView call);

    // Routing: coalesced snapshots to operators and managers, notices to all staff.
    Task QueueChanged(QueueSnapshot queue);

    Task ManagerViewChanged(ManagerView view);

    Task NoticesChanged(IReadOnlyList<NoticeView> notices);

    // Guidance (docs/hub.md): to the operator who sent it, when a link is queued, sent or has failed.
    Task GuidanceUpdated(GuidanceView guidance);
}

/// <summary>
/// A committed directory change. EntityType: "unit" | "person" | "municipality" | "synonym" | "import" (a CSV
/// import; Id is then the municipality code: reload it); Action: "created" | "updated" | "deleted" |
/// "reviewed" | "imported"; Version: the entry's version after the change (null when deleted or imported).
/// </summary>
public sealed record DirectoryChange(
    string EntityType, string Id, string MunicipalityCode, string Action, int? Version, DateTimeOffset At);

/// <summary>
/// A committed opening-hours change. Kind: "unit" (Id = unit id) | "holiday-policy" (Id = municipality
/// code; every unit of it may have changed) | "switchboard" (Id = "switchboard"). Version: after the change.
/// </summary>
public sealed record OpeningHoursChange(string Kind, string Id, string? MunicipalityCode, int Version, DateTimeOffset At);

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
