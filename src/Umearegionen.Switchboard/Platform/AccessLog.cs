using System.Security.Cryptography;

namespace Umearegionen.Switchboard.Platform;

/// <summary>What the access log records: its action names, as stored and as the API returns them.</summary>
public static class AccessActions
{
    // Opening personal data.
    public const string CallHistoryViewed = "call_history_viewed";
    public const string RegisterExtract = "register_extract";
    public const string RegisterErasure = "register_erasure";
    public const string RegisterErasureRefused = "register_erasure_refused";

    // Privileged changes.
    public const string AccountCreated = "account_created";
    public const string AccountDisabled = "account_disabled";
    public const string AccountEnabled = "account_enabled";
    public const string AccountUnlocked = "account_unlocked";
    public const string PasswordReset = "password_reset";
    public const string RoleChanged = "role_changed";
    public const string ApiKeyCreated = "api_key_created";
    public const string ApiKeyRevoked = "api_key_revoked";

    // Sign-in.
    public const string LoginFailed = "login_failed";
}

/// <summary>Who did something, as the access log names them.</summary>
public sealed record AccessActor(string Id, string Name, string Role)
{
    public static AccessActor Of(ClaimsPrincipal user) =>
        new(user.Id(), user.DisplayName(), user.FindFirstValue(ClaimNames.Role) ?? "unknown");

    /// <summary>Someone who has not signed in (a failed login).</summary>
    public static readonly AccessActor Anonymous = new("anonymous", "(not signed in)", "none");

    /// <summary>The service itself, from the command line (accounts create, api-keys create).</summary>
    public static readonly AccessActor Command = new("command-line", "command line", "administrator");
}

public sealed record AccessLogRecord(
    string Action, string TargetKind, string? TargetId = null, string? SubjectHash = null,
    string? Detail = null, int? RecordCount = null);

public sealed record AccessLogEntry(
    long Id, DateTimeOffset OccurredAt, string ActorId, string ActorName, string ActorRole, string Action,
    string TargetKind, string? TargetId, bool SubjectSearched, string? Detail, int? RecordCount);

public sealed record AccessLogQuery(
    DateTimeOffset? From, DateTimeOffset? To, string? Action, string? ActorId, string? SubjectHash, long? Before, int Limit);

/// <summary>
/// The access log (docs/personal-data.md): who opened personal data and who made a privileged
/// change. Written in the same transaction as what it records where there is one, so an erasure
/// and its record are stored together or not at all. A searched number or name is stored only as
/// a keyed hash (<see cref="HashSubjectAsync"/>).
/// </summary>
public sealed class AccessLog(NpgsqlDataSource dataSource, TimeProvider time)
{
    private byte[]? _key;

    public async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AccessActor actor,
        AccessLogRecord record, CancellationToken ct)
    {
        const string Sql = """
            insert into access_log (occurred_at, actor_id, actor_name, actor_role, action, target_kind, target_id,
                                    subject_hash, detail, record_count)
            values (@at, @actorId, @actorName, @actorRole, @action, @targetKind, @targetId, @subjectHash, @detail, @recordCount)
            """;
        await connection.ExecuteAsync(new CommandDefinition(Sql, new
        {
            at = time.GetUtcNow(), actorId = actor.Id, actorName = actor.Name, actorRole = actor.Role,
            action = record.Action, targetKind = record.TargetKind, targetId = record.TargetId,
            subjectHash = record.SubjectHash, detail = record.Detail, recordCount = record.RecordCount,
        }, transaction, cancellationToken: ct));
    }

    /// <summary>Records on a connection of its own, for actions that have no transaction of their own.</summary>
    public async Task RecordAsync(AccessActor actor, AccessLogRecord record, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await RecordAsync(connection, null, actor, record, ct);
    }

    /// <summary>
    /// The keyed hash (HMAC-SHA256, hex) of a searched phone number or name. Give it the normalised
    /// form (a number as +46..., a name trimmed and lower-cased), so the same subject always gives
    /// the same hash. The key lives only in the database (personal_data_keys).
    /// </summary>
    public async Task<string> HashSubjectAsync(string normalised, CancellationToken ct)
    {
        if (_key is null)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var key = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "select access_log_key from personal_data_keys", cancellationToken: ct));
            _key = Encoding.UTF8.GetBytes(key ?? throw new InvalidOperationException("personal_data_keys has no key; run the migrations."));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(normalised)));
    }

    public async Task<IReadOnlyList<AccessLogEntry>> ListAsync(AccessLogQuery query, CancellationToken ct)
    {
        const string Sql = """
            select id, occurred_at, actor_id, actor_name, actor_role, action, target_kind, target_id,
                   subject_hash is not null as subject_searched, detail, record_count
            from access_log
            where (@from::timestamptz is null or occurred_at >= @from)
              and (@to::timestamptz is null or occurred_at < @to)
              and (@action::text is null or action = @action)
              and (@actorId::text is null or actor_id = @actorId)
              and (@subjectHash::text is null or subject_hash = @subjectHash)
              and (@before::bigint is null or id < @before)
            order by id desc
            limit @limit
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<AccessLogEntry>(new CommandDefinition(Sql, new
        {
            from = query.From, to = query.To, action = query.Action, actorId = query.ActorId,
            subjectHash = query.SubjectHash, before = query.Before, limit = query.Limit,
        }, cancellationToken: ct))).AsList();
    }

    /// <summary>A name as it is hashed: trimmed, inner spaces collapsed, lower-case.</summary>
    public static string NormaliseName(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLower(CultureInfo.GetCultureInfo("sv-SE"));
}
