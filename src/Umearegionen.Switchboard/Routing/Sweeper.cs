namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Resolves what time resolves: offers not accepted in time go back to the queue (and their operator
/// is paused), after-call work that has run its time ends (the operator is available again), the connections of nodes that are gone are closed (their operators' grace period
/// starts), operators disconnected past the grace period go offline, expired notices come down.
/// Everything it needs is in the database, so after a restart, or on another node after the leader
/// died, it picks up where the last run left off. It runs on the leader node only; each of its
/// statements is conditional, so a sweep finished by a node that has just lost the lead changes
/// nothing a second time.
/// </summary>
public sealed class Sweeper(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, Dispatcher dispatcher,
    RoutingNotifier notifier, Instructions instructions, NoticeBoard notices, ClusterNode cluster,
    ILogger<Sweeper> logger) : BackgroundService
{
    public const string MissedOfferReason = "Did not answer an offered call";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await notices.ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoutingLog.SweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    // The offered calls are found from the operators' rows (operators.offered_call_id, at most one per
    // operator, docs/decisions/0016), each call by its key and filtered on the expiry: no index on
    // offer_expires_at, which every offer would have paid for (docs/decisions/0010). QueryPlanTests
    // checks that the plan reads calls by its key, not the whole of it. An operator whose offer lapsed
    // is paused if still available, and their row no longer holds the offer.
    internal static readonly string ExpireSql = $"""
        with x as (
            select k.id as call_id, k.offered_to as operator_id
            from operators o join calls k on k.id = o.offered_call_id
            where k.state = 'offered' and k.offer_expires_at <= @now
            for update of k skip locked
        ), c as (
            update calls set {CallSql.BackToQueue}
            from x where calls.id = x.call_id
            returning calls.id, calls.platform_call_id, x.operator_id
        ), {CallSql.ReturnOffer("'offer_timed_out'", actor: "'sweeper'", operatorId: "operator_id",
                                data: "jsonb_build_object('operatorId', operator_id)")},
        p as (
            update operators set {CallSql.OfferCleared},
                status = case when status = 'available' then 'paused' else status end,
                paused_reason = case when status = 'available' then @reason else paused_reason end,
                status_changed_at = case when status = 'available' then @now else status_changed_at end
            from c where operators.account_id = c.operator_id
        )
        select id as call_id, operator_id from c
        """;

    public async Task SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);

        // One transaction for the whole sweep, committed before anyone is told: a sweep that finds
        // nothing to do is one read-only transaction, not one per statement (docs/call-cost.md C3).
        List<ExpiredOffer> expired;
        int orphaned;
        List<Guid> lapsed;
        bool callsWait;
        Dictionary<Guid, OperatorState> afterCallStates = [], expiredStates = [];
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            // Expired offers: back to the queue in their place (queued_at is unchanged), operator paused and told.
            expired = (await conn.QueryAsync<ExpiredOffer>(new CommandDefinition(ExpireSql,
                new { now, reason = MissedOfferReason }, tx, cancellationToken: ct))).ToList();

            // Connections held by nodes that are gone: those operators' grace period starts now.
            orphaned = await OperatorPresence.CloseConnectionsOfGoneNodesAsync(conn, tx, now, ct);

            // Operators whose connection dropped and did not come back within the grace period.
            const string LapseSql = """
                update operators set status = 'offline', paused_reason = null, status_changed_at = @now
                where disconnected_at is not null and disconnected_at <= @before and status <> 'offline'
                returning account_id
                """;
            lapsed = (await conn.QueryAsync<Guid>(new CommandDefinition(LapseSql,
                new { now, before = now - options.Value.ReconnectGrace }, tx, cancellationToken: ct))).ToList();

            // After-call work that has run its time: available from the moment it ended (the statistics count
            // the wrap_up status to then), idle from then on; the dispatcher's round below may offer them a call.
            const string AfterCallSql = """
                update operators set status = 'available', idle_since = after_call_until, status_changed_at = after_call_until,
                                     after_call_until = null
                where status = 'wrap_up' and after_call_until <= @now
                returning account_id
                """;
            var afterCall = (await conn.QueryAsync<Guid>(new CommandDefinition(AfterCallSql, new { now }, tx, cancellationToken: ct))).ToList();
            if (afterCall.Count > 0)
            {
                afterCallStates = await OperatorStatesAsync(conn, tx, [.. afterCall], ct);
            }

            if (expired.Count > 0)
            {
                expiredStates = await OperatorStatesAsync(conn, tx, expired.Select(e => e.OperatorId).ToArray(), ct);
            }

            // Whether the dispatcher's round below has anything to do: a round on an empty queue offers nothing
            // and costs a transaction of its own. Read after the expired offers went back to the queue.
            callsWait = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from call_queue)", transaction: tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }

        foreach (var state in afterCallStates.Values)
        {
            await notifier.OperatorStateAsync(state);
        }

        if (expired.Count > 0)
        {
            instructions.Pulse();
            foreach (var offer in expired)
            {
                RoutingLog.OfferTimedOut(logger, offer.CallId, offer.OperatorId);
                await notifier.OfferWithdrawnAsync(offer.OperatorId, offer.CallId,
                    $"Not accepted within {options.Value.OfferTimeout.TotalSeconds:0} seconds; you are paused until you set yourself available.",
                    OfferEndings.TimedOut);
                if (expiredStates.TryGetValue(offer.OperatorId, out var state))
                {
                    await notifier.OperatorStateAsync(state);
                }
            }
        }

        foreach (var operatorId in lapsed)
        {
            RoutingLog.OperatorLapsed(logger, operatorId);
        }

        if (expired.Count > 0 || lapsed.Count > 0 || orphaned > 0 || afterCallStates.Count > 0)
        {
            notifier.Changed();
        }

        if (notices.HasExpired())
        {
            await notices.ReloadAsync(ct);
            await notifier.NoticesAsync(notices.Current());
        }

        // Waiting calls may have crossed the cover threshold since the last round, and a call whose
        // signal to this node was lost (docs/decisions/0002) is offered now. A call queued after the read
        // above wakes the dispatcher itself.
        if (callsWait)
        {
            dispatcher.Wake();
        }
    }

    private static async Task<Dictionary<Guid, OperatorState>> OperatorStatesAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid[] ids, CancellationToken ct)
    {
        const string Sql = $"select {OperatorRow.Columns} from operators o where o.account_id = any(@ids)";
        var rows = await conn.QueryAsync<OperatorRow>(new CommandDefinition(Sql, new { ids }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.AccountId, r => r.ToState());
    }

    private sealed record ExpiredOffer(Guid CallId, Guid OperatorId);
}
