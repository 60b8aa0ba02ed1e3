using System.Diagnostics;

namespace Umearegionen.Switchboard.Access;

/// <summary>
/// Closes this node's hub connections whose account was disabled, had its password set or its role
/// changed: every Access:RevocationCheckInterval, and at once when this node or another ended an
/// account's sessions. One query a check for all the node's connections. On the leader node that query rides
/// in the sweep's transaction every second (<see cref="RevokedConnectionsRider"/>, docs/decisions/0027) and this
/// loop reads only when no check was made for an interval. The connection is closed by the
/// hub (a close message), not cut at its transport, so the client does not reconnect; the normal
/// disconnection path then runs (docs/decisions/0005-revocation-by-security-stamp.md).
/// </summary>
public sealed partial class RevokedConnections(
    Sessions sessions, LocalHubConnections connections, IOptions<AccessOptions> options, ILogger<RevokedConnections> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Transport timing, not domain time: the wall clock. A check is due an interval after the last one,
                // this loop's or the sweep's; a session that ended makes it due at once.
                var left = options.Value.RevocationCheckInterval - sessions.SinceConnectionsChecked();
                if (left > TimeSpan.Zero && !await sessions.WaitForCheckAsync(left, stoppingToken))
                {
                    continue;
                }

                await CheckOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogCheckFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Closes the connections of this node whose token is no longer its account's; says how many.</summary>
    public Task<int> CheckOnceAsync(CancellationToken ct) =>
        CheckAsync(sessions, connections, logger, (ids, c) => sessions.ReadStampsAsync(ids, c), ct);

    /// <summary>The check, with the stamps read by <paramref name="read"/> (on a connection of its own, or in the sweep's transaction).</summary>
    internal static async Task<int> CheckAsync(
        Sessions sessions, LocalHubConnections connections, ILogger logger,
        Func<Guid[], CancellationToken, Task<IReadOnlyDictionary<Guid, AccountStamp>>> read, CancellationToken ct)
    {
        var readAt = Stopwatch.GetTimestamp();
        var open = connections.Open()
            .Where(c => c.User is { } user && TokenIssuer.IsOwnToken(user))
            .Select(c => (Context: c, Id: Guid.TryParse(c.User!.FindFirst(ClaimNames.Subject)?.Value, out var id) ? id : Guid.Empty))
            .ToList();
        if (open.Count == 0)
        {
            sessions.ConnectionsChecked(readAt);
            return 0;
        }

        var stamps = await read(open.Select(c => c.Id).Distinct().ToArray(), ct);
        sessions.ConnectionsChecked(readAt);
        var closed = 0;
        foreach (var (context, id) in open)
        {
            if (!Sessions.IsCurrent(context.User!, stamps.GetValueOrDefault(id)))
            {
                LogClosed(logger, id, context.ConnectionId);
                context.Abort();
                closed++;
            }
        }

        return closed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed hub connection {ConnectionId} of account {AccountId}: its sessions have ended")]
    private static partial void LogClosed(ILogger logger, Guid accountId, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the hub connections' accounts; trying again")]
    private static partial void LogCheckFailed(ILogger logger, Exception ex);
}

/// <summary>
/// The connection check of the leader node, in the sweep's transaction every Routing:SweepInterval instead of a
/// transaction of its own every Access:RevocationCheckInterval (docs/decisions/0027). Reading every second also keeps
/// the stamps of every account connected here known, so the accounts' hub invocations need no read of their own.
/// </summary>
public sealed class RevokedConnectionsRider(Sessions sessions, LocalHubConnections connections, ILogger<RevokedConnections> logger) : ISweepRider
{
    public Task RideAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct) =>
        RevokedConnections.CheckAsync(sessions, connections, logger, (ids, c) => sessions.ReadStampsAsync(connection, transaction, ids, c), ct);
}

/// <summary>
/// Refuses a hub invocation by someone whose sessions have ended, with "account-revoked: …", and closes
/// their connection (docs/hub.md).
/// </summary>
public sealed class SessionHubFilter(Sessions sessions) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        if (context.User is { } user && !await sessions.IsCurrentAsync(user, context.ConnectionAborted))
        {
            // Closed a moment after the refusal is sent: closed at once, the client would see its call
            // cancelled by the close rather than the reason.
            _ = CloseSoonAsync(context);
            throw new HubException($"{Contracts.HubErrors.AccountRevoked}: your session has ended (the account was disabled, its password " +
                                   "was set or its role changed by an administrator); sign in again.");
        }

        return await next(invocationContext);
    }

    private static async Task CloseSoonAsync(HubCallerContext context)
    {
        // Transport timing, not domain time: the wall clock.
        await Task.Delay(CloseDelay);
        context.Abort();
    }

    private static readonly TimeSpan CloseDelay = TimeSpan.FromMilliseconds(200);
}
