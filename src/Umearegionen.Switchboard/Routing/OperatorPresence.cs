using System.Collections.Concurrent;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Operators' connections and statuses. A dropped connection is not a logout: the operator keeps
/// status, place and call until the grace period ends (the sweeper then sets them offline). Each open
/// hub connection is a row in operator_connections with the node it is open on, so an operator may be
/// connected to any node, or to two at once, and the connections of a node that dies are found by the
/// leader's sweeper (<see cref="CloseConnectionsOfGoneNodesAsync"/>).
/// </summary>
public sealed class OperatorPresence
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly IOptions<RoutingOptions> _options;
    private readonly Dispatcher _dispatcher;
    private readonly RoutingNotifier _notifier;
    private readonly Instructions _instructions;
    private readonly ClusterNode _cluster;

    // This node's open operator connections (connection id to account), to put back in the database
    // when the node registers again after losing its connection to it.
    private readonly ConcurrentDictionary<string, Guid> _here = new();

    public OperatorPresence(
        NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, Dispatcher dispatcher,
        RoutingNotifier notifier, Instructions instructions, ClusterNode cluster)
    {
        (_dataSource, _clock, _options, _dispatcher, _notifier, _instructions, _cluster) =
            (dataSource, clock, options, dispatcher, notifier, instructions, cluster);
        cluster.OnRegistered(ReassertAsync);
    }

    // Both statements take the operator's row first, so a connection opened on one node and one closed on
    // another for the same operator are applied one after the other, each seeing the other's row.
    private const string ConnectSql = """
        insert into operators (account_id, team, status, idle_since, status_changed_at, disconnected_at, last_seen_at)
        values (@accountId, @team, 'offline', @now, @now, null, @now)
        on conflict (account_id) do update set team = excluded.team, disconnected_at = null, last_seen_at = @now;

        insert into operator_connections (connection_id, account_id, node_id, connected_at)
        values (@connectionId, @accountId, @nodeId, @now)
        on conflict (connection_id) do update set node_id = excluded.node_id;
        """;

    public async Task ConnectedAsync(Guid accountId, string connectionId, string? municipalityCode, CancellationToken ct)
    {
        _here[connectionId] = accountId;
        var team = string.Equals(municipalityCode, _options.Value.MainTeamMunicipality, StringComparison.Ordinal) ? "main" : "cover";
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(ConnectSql, new
        {
            accountId, connectionId, team, nodeId = _cluster.NodeId, now = _clock.GetUtcNow(),
        }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);

        _dispatcher.Wake();
        _notifier.Changed();
    }

    public async Task DisconnectedAsync(Guid accountId, string connectionId)
    {
        _here.TryRemove(connectionId, out _);
        await using var conn = await _dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync(new CommandDefinition(
            "delete from operator_connections where connection_id = @connectionId", new { connectionId }, tx));
        await MarkDisconnectedAsync(conn, tx, [accountId], _clock.GetUtcNow(), CancellationToken.None);
        await tx.CommitAsync();
        _notifier.Changed();
    }

    /// <summary>
    /// Operators among <paramref name="accounts"/> left with no open connection are disconnected from now:
    /// their grace period starts. Locks their rows first; in read committed each statement after the lock
    /// sees every connection committed before it.
    /// </summary>
    private static async Task MarkDisconnectedAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] accounts, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select account_id from operators where account_id = any(@accounts) order by account_id for update;

            update operators set disconnected_at = @now, last_seen_at = @now
            where account_id = any(@accounts) and disconnected_at is null
              and not exists (select 1 from operator_connections c where c.account_id = operators.account_id);
            """;
        await conn.ExecuteAsync(new CommandDefinition(Sql, new { accounts, now }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Removes the nodes that are gone (their advisory lock is free) with the connections they held, and
    /// starts the grace period of operators left with none. Returns how many connections were closed.
    /// The leader's sweeper runs it every sweep, in the sweep's transaction <paramref name="tx"/>.
    /// </summary>
    public static async Task<int> CloseConnectionsOfGoneNodesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct)
    {
        // Connections whose node has no row (a node that registered again under a new id after a lost
        // connection puts its own back) go too.
        var sql = $"""
            with gone as (
                delete from cluster_nodes where id in ({ClusterNode.GoneNodesSql})
                returning id
            )
            delete from operator_connections c
            where c.node_id in (select id from gone)
               or not exists (select 1 from cluster_nodes n where n.id = c.node_id)
            returning c.account_id
            """;
        var accounts = (await conn.QueryAsync<Guid>(new CommandDefinition(sql, transaction: tx, cancellationToken: ct))).Distinct().ToArray();
        if (accounts.Length == 0)
        {
            return 0;
        }

        await MarkDisconnectedAsync(conn, tx, accounts, now, ct);
        return accounts.Length;
    }

    /// <summary>After the node registered again (a new node id): its open connections are put back under that id.</summary>
    private async Task ReassertAsync(long nodeId, CancellationToken ct)
    {
        var here = _here.ToArray();
        if (here.Length == 0)
        {
            return;
        }

        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        foreach (var (connectionId, accountId) in here)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                update operators set disconnected_at = null, last_seen_at = @now where account_id = @accountId;

                insert into operator_connections (connection_id, account_id, node_id, connected_at)
                values (@connectionId, @accountId, @nodeId, @now)
                on conflict (connection_id) do update set node_id = excluded.node_id;
                """, new { accountId, connectionId, nodeId, now = _clock.GetUtcNow() }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        _dispatcher.Wake();
        _notifier.Changed();
    }

    public async Task<OperatorState> SetStatusAsync(Guid accountId, SetStatusRequest request, CancellationToken ct)
    {
        if (!OperatorStatuses.All.Contains(request.Status))
        {
            throw RoutingErrors.Invalid($"status must be one of {string.Join(", ", OperatorStatuses.All)}.");
        }

        if (request.Status == OperatorStatuses.Paused && string.IsNullOrWhiteSpace(request.Reason))
        {
            throw RoutingErrors.Invalid("a reason is required when pausing (for example \"lunch\" or \"meeting\").");
        }

        if (request.Reason is { Length: > 200 })
        {
            throw RoutingErrors.Invalid("reason must be at most 200 characters.");
        }

        var now = _clock.GetUtcNow();
        // Becoming available starts the idle time that decides who is offered next. Leaving
        // "available" with an offer pending hands the offer back to the queue. Any status set by the
        // operator ends after-call work (a wrap_up they set lasts until they change it).
        const string Sql = $"""
            update operators set
                status = @status,
                paused_reason = case when @status = 'paused' then @reason end,
                idle_since = case when @status = 'available' and status <> 'available' then @now else idle_since end,
                status_changed_at = case when status <> @status then @now else status_changed_at end,
                after_call_until = null
            where account_id = @accountId;

            select {OperatorRow.Columns} from operators o where o.account_id = @accountId;
            """;
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<OperatorRow>(new CommandDefinition(Sql, new
        {
            accountId, status = request.Status, reason = request.Reason?.Trim(), now,
        }, cancellationToken: ct)) ?? throw RoutingErrors.NotFound("you are not registered as an operator; reconnect to the hub.");

        if (request.Status != OperatorStatuses.Available && row.OfferedCallId is { } offered)
        {
            if (await CallHandling.ReturnOfferAsync(conn, offered, accountId, now, ct))
            {
                _instructions.Pulse();
                // Every screen of the operator stops ringing, not only the one that changed the status.
                await _notifier.OfferWithdrawnAsync(accountId, offered,
                    $"You set yourself {request.Status}; the call went back to the queue.", OfferEndings.StatusChanged);
            }

            row = row with { OfferedCallId = null };
        }

        _dispatcher.Wake();
        _notifier.Changed();
        return row.ToState();
    }

    public async Task<OperatorState?> StateAsync(Guid accountId, CancellationToken ct)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        return await StateAsync(conn, accountId, ct);
    }

    internal static async Task<OperatorState?> StateAsync(NpgsqlConnection conn, Guid accountId, CancellationToken ct)
    {
        const string Sql = $"select {OperatorRow.Columns} from operators o where o.account_id = @accountId";
        var row = await conn.QuerySingleOrDefaultAsync<OperatorRow>(new CommandDefinition(Sql, new { accountId }, cancellationToken: ct));
        return row?.ToState();
    }

    /// <summary>Ends the operator's after-call work now: they are available and the next call may be offered.</summary>
    public async Task<OperatorState> EndAfterCallWorkAsync(Guid accountId, CancellationToken ct)
    {
        const string Sql = """
            update operators set status = 'available', after_call_until = null, idle_since = @now, status_changed_at = @now
            where account_id = @accountId and status = 'wrap_up' and after_call_until is not null
            """;
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition(Sql, new { accountId, now = _clock.GetUtcNow() }, cancellationToken: ct)) == 0)
        {
            throw await NotInAfterCallWorkAsync(conn, accountId, ct);
        }

        _dispatcher.Wake();
        _notifier.Changed();
        return (await StateAsync(conn, accountId, ct))!;
    }

    /// <summary>
    /// Adds <see cref="RoutingOptions.AfterCallWorkExtension"/> to the operator's after-call work, up to
    /// <see cref="RoutingOptions.AfterCallWorkLimit"/> from the end of the call (when the wrap_up status began).
    /// </summary>
    public async Task<OperatorState> ExtendAfterCallWorkAsync(Guid accountId, CancellationToken ct)
    {
        const string Sql = """
            update operators set after_call_until = least(after_call_until + @extension, status_changed_at + @limit)
            where account_id = @accountId and status = 'wrap_up' and after_call_until > @now
              and after_call_until < status_changed_at + @limit
            """;
        var (extension, limit) = (_options.Value.AfterCallWorkExtension, _options.Value.AfterCallWorkLimit);
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition(Sql, new { accountId, extension, limit, now = _clock.GetUtcNow() }, cancellationToken: ct)) == 0)
        {
            var state = await StateAsync(conn, accountId, ct);
            if (state?.AfterCallUntil is { } until && until > _clock.GetUtcNow())
            {
                throw RoutingErrors.Of(HubErrors.WrongState,
                    $"after-call work cannot be extended beyond {limit.TotalSeconds:0} seconds after the call ended.");
            }

            throw await NotInAfterCallWorkAsync(conn, accountId, ct);
        }

        _notifier.Changed();
        return (await StateAsync(conn, accountId, ct))!;
    }

    private static async Task<Microsoft.AspNetCore.SignalR.HubException> NotInAfterCallWorkAsync(
        NpgsqlConnection conn, Guid accountId, CancellationToken ct) =>
        await StateAsync(conn, accountId, ct) is null
            ? RoutingErrors.NotFound("you are not registered as an operator; reconnect to the hub.")
            : RoutingErrors.Of(HubErrors.WrongState, "you are not in after-call work.");
}
