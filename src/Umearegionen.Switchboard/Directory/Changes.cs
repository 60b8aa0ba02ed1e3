using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.Live;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// Optimistic concurrency: every entry carries a version, sent back in the <c>If-Match</c> header
/// as an ETag (<c>If-Match: "3"</c>). A change based on an older version is refused with 409.
/// </summary>
public static class Versions
{
    public const string Header = "If-Match";

    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>The version in an If-Match header ("3", W/"3" or 3); null with a problem when absent or unreadable.</summary>
    public static int? Parse(string? ifMatch, out ProblemHttpResult? problem)
    {
        problem = null;
        var text = ifMatch?.Trim();
        if (text is not null && text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (int.TryParse(text?.Trim('"'), out var version) && version > 0)
        {
            return version;
        }

        problem = TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
            title: "The version you are changing is missing",
            detail: "Send the entry's version in the If-Match header (the ETag from reading it, e.g. If-Match: \"3\"), " +
                    "so a change made by someone else in the meantime is not overwritten.",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [Header] = ["If-Match is required."] } });
        return null;
    }

    /// <summary>409 telling who changed the entry last and when, so the user reloads and re-applies.</summary>
    public static async Task<ProblemHttpResult> ConflictAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string entityType, string entityId, int current, int sent, string what, CancellationToken ct)
    {
        const string Sql = """
            select actor_name, occurred_at from audit_log
            where entity_type = @entityType and entity_id = @entityId
            order by occurred_at desc, id desc limit 1
            """;
        var last = await conn.QuerySingleOrDefaultAsync<(string ActorName, DateTimeOffset OccurredAt)?>(
            new CommandDefinition(Sql, new { entityType, entityId }, tx, cancellationToken: ct));
        var by = last is { } l ? $" by {l.ActorName} at {l.OccurredAt:yyyy-MM-dd HH:mm:ss} UTC" : "";
        var problem = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed by someone else",
            detail: $"{what} was changed{by} after you read it (you sent version {sent}, it is now version {current}). " +
                    "Nothing was saved: reload it, apply your change again and save.",
            extensions: new Dictionary<string, object?>
            {
                ["currentVersion"] = current,
                ["changedBy"] = last?.ActorName,
                ["changedAt"] = last?.OccurredAt,
            });
        return problem;
    }
}

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
