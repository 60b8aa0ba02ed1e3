namespace Umearegionen.Switchboard.Platform;

public sealed record Actor(string Id, string Name);

public sealed record AuditEntry(
    long Id, string EntityType, string EntityId, string? MunicipalityCode, string Action,
    string ActorId, string ActorName, DateTimeOffset OccurredAt, JsonElement? Before, JsonElement? After);

/// <summary>
/// The audit trail: written in the same transaction as the change it records, so a change and
/// its record are stored together or not at all.
/// </summary>
public static class Audit
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor, DateTimeOffset at,
        string entityType, string entityId, string? municipalityCode, string action, object? before, object? after)
    {
        const string Sql = """
            insert into audit_log (entity_type, entity_id, municipality_code, action, actor_id, actor_name,
                                   occurred_at, before, after)
            values (@entityType, @entityId, @municipalityCode, @action, @actorId, @actorName,
                    @at, @before::jsonb, @after::jsonb)
            """;
        return connection.ExecuteAsync(Sql, new
        {
            entityType, entityId, municipalityCode, action,
            actorId = actor.Id, actorName = actor.Name, at,
            before = before is null ? null : JsonSerializer.Serialize(before, Json),
            after = after is null ? null : JsonSerializer.Serialize(after, Json),
        }, transaction);
    }

    public static async Task<IReadOnlyList<AuditEntry>> HistoryAsync(
        NpgsqlConnection connection, string entityType, string entityId, CancellationToken ct)
    {
        const string Sql = """
            select id, entity_type, entity_id, municipality_code, action, actor_id, actor_name, occurred_at,
                   before::text as before, after::text as after
            from audit_log
            where entity_type = @entityType and entity_id = @entityId
            order by occurred_at, id
            """;
        var rows = await connection.QueryAsync<AuditRow>(
            new CommandDefinition(Sql, new { entityType, entityId }, cancellationToken: ct));
        return rows.Select(r => new AuditEntry(r.Id, r.EntityType, r.EntityId, r.MunicipalityCode, r.Action,
            r.ActorId, r.ActorName, r.OccurredAt, Parse(r.Before), Parse(r.After))).ToList();
    }

    private static JsonElement? Parse(string? json) =>
        json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    private sealed record AuditRow(
        long Id, string EntityType, string EntityId, string? MunicipalityCode, string Action, string ActorId,
        string ActorName, DateTimeOffset OccurredAt, string? Before, string? After);
}
