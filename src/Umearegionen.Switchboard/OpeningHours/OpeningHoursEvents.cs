using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>Pushes committed opening-hours changes to every connected dashboard.</summary>
public sealed partial class OpeningHoursEvents(
    IHubContext<SwitchboardHub, ISwitchboardClient> hub, Directory.DirectoryChangeFeed changes, ILogger<OpeningHoursEvents> logger)
{
    public const string Unit = "unit";
    public const string HolidayPolicy = "holiday-policy";
    public const string Switchboard = "switchboard";

    /// <summary>Call only after the change is committed.</summary>
    public async Task PublishAsync(OpeningHoursChange change)
    {
        changes.Changed();
        try
        {
            await hub.Clients.Group(HubGroups.Staff).OpeningHoursChanged(change);
        }
        catch (Exception ex)
        {
            // The change is stored; a dashboard that missed the push sees it on its next read.
            LogPushFailed(logger, ex, change.Kind, change.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push opening-hours change of {Kind} {Id}")]
    private static partial void LogPushFailed(ILogger logger, Exception ex, string kind, string id);
}
