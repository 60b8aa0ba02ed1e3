using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace Umearegionen.Switchboard.Access;

public sealed record ApiKeyInfo(Guid Id, string Name, string Prefix, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt);

public sealed record CreatedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// API keys for systems such as the telephony platform. The key is shown once at creation; only
/// its SHA-256 hash is stored (the key is 256 random bits, so a slow hash adds nothing).
/// </summary>
public sealed class ApiKeys(NpgsqlDataSource dataSource, IMemoryCache cache, TimeProvider time, AccessLog accessLog)
{
    private const string Columns = "id, name, prefix, role, created_at, created_by, revoked_at";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<CreatedApiKey> CreateAsync(string name, string role, AccessActor actor, CancellationToken ct)
    {
        const string Sql = $"""
            insert into api_keys (id, name, prefix, key_hash, role, created_at, created_by)
            values (@id, @name, @prefix, @hash, @role, @now, @createdBy)
            returning {Columns}
            """;
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"sbk_{prefix}_{secret}";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var info = await connection.QuerySingleAsync<ApiKeyInfo>(new CommandDefinition(Sql, new
        {
            id = Guid.CreateVersion7(), name = name.Trim(), prefix, hash = Hash(key), role, now = time.GetUtcNow(), createdBy = actor.Name,
        }, tx, cancellationToken: ct));
        await accessLog.RecordAsync(connection, tx, actor,
            new AccessLogRecord(AccessActions.ApiKeyCreated, "api_key", info.Id.ToString(), Detail: $"{info.Name} ({info.Prefix})"), ct);
        await tx.CommitAsync(ct);
        return new CreatedApiKey(info, key);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken ct)
    {
        const string Sql = $"select {Columns} from api_keys order by created_at";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ApiKeyInfo>(new CommandDefinition(Sql, cancellationToken: ct))).AsList();
    }

    public async Task<bool> RevokeAsync(Guid id, AccessActor actor, CancellationToken ct)
    {
        const string Sql = "update api_keys set revoked_at = @now where id = @id and revoked_at is null returning name, prefix";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var revoked = await connection.QuerySingleOrDefaultAsync<RevokedKey>(
            new CommandDefinition(Sql, new { id, now = time.GetUtcNow() }, tx, cancellationToken: ct));
        if (revoked is null)
        {
            return false;
        }

        await accessLog.RecordAsync(connection, tx, actor,
            new AccessLogRecord(AccessActions.ApiKeyRevoked, "api_key", id.ToString(), Detail: $"{revoked.Name} ({revoked.Prefix})"), ct);
        await tx.CommitAsync(ct);
        cache.Remove(CacheKey(revoked.Prefix));
        return true;
    }

    /// <summary>The key's record if the key is valid and not revoked; otherwise null.</summary>
    public async Task<ApiKeyInfo?> ValidateAsync(string presented, CancellationToken ct)
    {
        var parts = presented.Split('_');
        if (parts.Length != 3 || parts[0] != "sbk" || parts[1].Length != 10)
        {
            return null;
        }

        var stored = await cache.GetOrCreateAsync(CacheKey(parts[1]), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            const string Sql = $"select {Columns}, key_hash from api_keys where prefix = @prefix";
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            return await connection.QuerySingleOrDefaultAsync<StoredKey>(
                new CommandDefinition(Sql, new { prefix = parts[1] }, cancellationToken: ct));
        });
        if (stored is null || stored.RevokedAt is not null
            || !CryptographicOperations.FixedTimeEquals(stored.KeyHash, Hash(presented)))
        {
            return null;
        }

        return new ApiKeyInfo(stored.Id, stored.Name, stored.Prefix, stored.Role, stored.CreatedAt, stored.CreatedBy, stored.RevokedAt);
    }

    private static string CacheKey(string prefix) => "api-key:" + prefix;

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '-');

    private sealed record RevokedKey(string Name, string Prefix);

    private sealed record StoredKey(
        Guid Id, string Name, string Prefix, string Role, DateTimeOffset CreatedAt, string CreatedBy,
        DateTimeOffset? RevokedAt, byte[] KeyHash);
}
