using System.Collections.Concurrent;
using System.Diagnostics;

namespace Umearegionen.Switchboard.Access;

/// <summary>A feature that holds state for a signed-in person and ends it when their sessions end (routing: the operator).</summary>
public interface ISessionEndHandler
{
    /// <summary>In the transaction that disables the account, sets its password or changes its role.</summary>
    Task EndAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid accountId, CancellationToken ct);

    /// <summary>After that transaction has committed.</summary>
    void Ended(Guid accountId);
}

/// <summary>What a node knows of an account for checking a token: its stamp and whether it is disabled.</summary>
public sealed record AccountStamp(string SecurityStamp, bool Disabled);

/// <summary>
/// Whether the sessions behind our tokens are still valid (docs/decisions/0005-revocation-by-security-stamp.md).
/// A token carries the security stamp of its account; disabling the account, setting its password or
/// changing its role gives the account a new stamp, and from then on the old tokens are refused: on
/// every request, on refresh and on every hub invocation. Each node keeps what it read of an account for
/// Access:RevocationCheckInterval at most; the node making the change forgets at once and tells the
/// others (<see cref="Signal.SessionsEnded"/>), which forget at once too.
/// </summary>
public sealed class Sessions
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ClusterSignals _signals;
    private readonly IOptions<AccessOptions> _options;
    private readonly IEnumerable<ISessionEndHandler> _handlers;
    private readonly ConcurrentDictionary<Guid, (AccountStamp? Stamp, long ReadAt)> _known = new();
    private readonly SemaphoreSlim _checkNow = new(0, 1);

    // Raised whenever this node forgets accounts: a read begun before is not cached, since it may hold
    // the stamp from before the change.
    private long _generation;

    public Sessions(NpgsqlDataSource dataSource, ClusterSignals signals, IOptions<AccessOptions> options, IEnumerable<ISessionEndHandler> handlers)
    {
        (_dataSource, _signals, _options, _handlers) = (dataSource, signals, options, handlers);
        signals.On(Signal.SessionsEnded, () =>
        {
            Interlocked.Increment(ref _generation);
            _known.Clear();
            CheckConnectionsNow();
        });
    }

    public static string NewStamp() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Whether the caller may go on: always for a token of the identity provider (its sessions are the
    /// provider's to end); for a token of ours, only while its stamp is its account's and the account
    /// is not disabled.
    /// </summary>
    public async ValueTask<bool> IsCurrentAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (!TokenIssuer.IsOwnToken(user))
        {
            return true;
        }

        if (!Guid.TryParse(user.FindFirstValue(ClaimNames.Subject), out var id))
        {
            return false;
        }

        var stamp = await StampAsync(id, ct);
        return IsCurrent(user, stamp);
    }

    internal static bool IsCurrent(ClaimsPrincipal user, AccountStamp? stamp) =>
        stamp is { Disabled: false }
        && string.Equals(user.FindFirstValue(ClaimNames.SecurityStamp), stamp.SecurityStamp, StringComparison.Ordinal);

    /// <summary>The account's stamp, read at most <see cref="AccessOptions.RevocationCheckInterval"/> ago; null if no such account.</summary>
    public async ValueTask<AccountStamp?> StampAsync(Guid id, CancellationToken ct)
    {
        if (_known.TryGetValue(id, out var known)
            && Stopwatch.GetElapsedTime(known.ReadAt) < _options.Value.RevocationCheckInterval)
        {
            return known.Stamp;
        }

        var generation = Interlocked.Read(ref _generation);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var stamp = await connection.QuerySingleOrDefaultAsync<AccountStamp>(new CommandDefinition(
            "select security_stamp, disabled from accounts where id = @id", new { id }, cancellationToken: ct));
        Remember(id, stamp, generation);
        return stamp;
    }

    /// <summary>The stamps of many accounts at once, straight from the database (the connection check).</summary>
    internal async Task<IReadOnlyDictionary<Guid, AccountStamp>> ReadStampsAsync(Guid[] ids, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref _generation);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(Guid Id, string SecurityStamp, bool Disabled)>(new CommandDefinition(
            "select id, security_stamp, disabled from accounts where id = any(@ids)", new { ids }, cancellationToken: ct));
        var stamps = rows.ToDictionary(r => r.Id, r => new AccountStamp(r.SecurityStamp, r.Disabled));
        foreach (var id in ids)
        {
            Remember(id, stamps.GetValueOrDefault(id), generation);
        }

        return stamps;
    }

    private void Remember(Guid id, AccountStamp? stamp, long readInGeneration)
    {
        _known[id] = (stamp, Stopwatch.GetTimestamp());
        if (Interlocked.Read(ref _generation) != readInGeneration)
        {
            _known.TryRemove(id, out _);
        }
    }

    /// <summary>Ends what the features hold for the account, in the transaction of the change.</summary>
    internal async Task EndInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid accountId, CancellationToken ct)
    {
        foreach (var handler in _handlers)
        {
            await handler.EndAsync(connection, transaction, accountId, ct);
        }
    }

    /// <summary>After the change committed: this node forgets the account's old stamp, checks its connections, tells the others.</summary>
    internal void Ended(Guid accountId)
    {
        Interlocked.Increment(ref _generation);
        _known.TryRemove(accountId, out _);
        foreach (var handler in _handlers)
        {
            handler.Ended(accountId);
        }

        CheckConnectionsNow();
        _signals.Publish(Signal.SessionsEnded);
    }

    private void CheckConnectionsNow() => _checkNow.Wake();

    /// <summary>Waits until a check is due: the interval has passed or a session ended.</summary>
    internal Task<bool> WaitForCheckAsync(CancellationToken ct) => _checkNow.WaitAsync(_options.Value.RevocationCheckInterval, ct);
}
