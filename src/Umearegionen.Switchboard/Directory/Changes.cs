using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.Directory;

/// <summary>Pushes committed directory changes to every connected dashboard.</summary>
public sealed partial class DirectoryEvents(
    IHubContext<SwitchboardHub, ISwitchboardClient> hub, DirectoryChangeFeed changes, ILogger<DirectoryEvents> logger)
{
    /// <summary>Call only after the change is committed.</summary>
    public async Task PublishAsync(string entityType, string id, string municipalityCode, string action, int? version, DateTimeOffset at)
    {
        changes.Changed();
        try
        {
            await hub.Clients.Group(HubGroups.Staff).DirectoryChanged(
                new DirectoryChange(entityType, id, municipalityCode, action, version, at));
        }
        catch (Exception ex)
        {
            // The change is stored; a dashboard that missed the push sees it on its next read.
            LogPushFailed(logger, ex, entityType, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push directory change of {EntityType} {EntityId}")]
    private static partial void LogPushFailed(ILogger logger, Exception ex, string entityType, string entityId);
}
