namespace Umearegionen.Switchboard.Access;

/// <summary>
/// Closes this node's hub connections whose account was disabled, had its password set or its role
/// changed: every Access:RevocationCheckInterval, and at once when this node or another ended an
/// account's sessions. One query a check for all the node's connections. The connection is closed by the
/// hub (a close message), not cut at its transport, so the client does not reconnect; the normal
/// disconnection path then runs (docs/decisions/0005-revocation-by-security-stamp.md).
/// </summary>
public sealed partial class RevokedConnections(
    Sessions sessions, LocalHubConnections connections, ILogger<RevokedConnections> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Transport timing, not domain time: the wall clock.
                await sessions.WaitForCheckAsync(stoppingToken);
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
    public async Task<int> CheckOnceAsync(CancellationToken ct)
    {
        var open = connections.Open()
            .Where(c => c.User is { } user && TokenIssuer.IsOwnToken(user))
            .Select(c => (Context: c, Id: Guid.TryParse(c.User!.FindFirst(ClaimNames.Subject)?.Value, out var id) ? id : Guid.Empty))
            .ToList();
        if (open.Count == 0)
        {
            return 0;
        }

        var stamps = await sessions.ReadStampsAsync(open.Select(c => c.Id).Distinct().ToArray(), ct);
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
