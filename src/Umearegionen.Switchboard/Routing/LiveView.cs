using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.Routing;

/// <summary>What the screens show: the queue, the manager's figures, an operator's full state.</summary>
public sealed class LiveView(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, NoticeBoard notices, Destinations destinations,
    TodayCounts todayCounts, RecentContacts recentContacts)
{
    // The head of the queue; the length and longest wait cover the rest. Kept short because every
    // operator and manager screen receives it several times a second.
    internal const int ListedCalls = 30;

    public async Task<QueueSnapshot> QueueAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await QueueAsync(conn, clock.GetUtcNow(), ct);
    }

    // The waiting calls are the queued ones and the offered ones, read apart: the queued ones from
    // call_queue (in queue order by its index), the offered ones from the operators' rows
    // (operators.offered_call_id, at most one per operator), each call then by its key. No index of
    // calls names its state: every offer, accept and return to the queue would pay for it
    // (docs/decisions/0010, 0016). The list is the first @limit of either part, merged in queue
    // order; id breaks ties, so the order is the same however the parts are read. QueryPlanTests
    // checks that both statements read calls by its key, never the whole of it.
    internal const string QueueSql = """
        select count(*)::int as length, min(queued_at) as oldest
        from (select queued_at from call_queue
              union all
              select c.queued_at from operators o join calls c on c.id = o.offered_call_id
              where c.state = 'offered') waiting;

        select id, state, municipality_code, menu_topic, priority, queued_at, offered_to
        from ((select c.id, c.state, c.municipality_code, c.menu_topic, c.priority, c.queued_at, c.offered_to
               from call_queue q join calls c on c.id = q.call_id
               order by q.priority desc, q.queued_at, q.call_id
               limit @limit)
              union all
              (select c.id, c.state, c.municipality_code, c.menu_topic, c.priority, c.queued_at, c.offered_to
               from operators o join calls c on c.id = o.offered_call_id
               where c.state = 'offered'
               order by c.priority desc, c.queued_at, c.id
               limit @limit)) waiting
        order by priority desc, queued_at, id
        limit @limit;
        """;

    private static async Task<QueueSnapshot> QueueAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct)
    {
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(QueueSql, new { limit = ListedCalls }, cancellationToken: ct));
        return await ReadQueueAsync(read, now);
    }

    private static async Task<QueueSnapshot> ReadQueueAsync(SqlMapper.GridReader read, DateTimeOffset now)
    {
        var head = await read.ReadSingleAsync<QueueHead>();
        var calls = (await read.ReadAsync<QueuedCall>()).ToList();
        var longest = head.Oldest is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
        return new QueueSnapshot(now, head.Length, longest, calls);
    }

    // The call is the one on the operator's row (operators.call_id, at most one per operator), read by its key.
    // Columns in the order of OperatorSummary's parameters (Dapper maps a record by position and name).
    private const string OperatorsSql = $"""
        select o.account_id, a.display_name, o.team, o.status, o.paused_reason, o.disconnected_at is null as connected,
               c.id as call_id, o.status_changed_at, case when o.status = 'wrap_up' then o.after_call_until end as after_call_until,
               o.idle_since, c.answered_at as call_answered_at,
               case when o.status = 'paused' and o.paused_reason = '{Sweeper.MissedOfferReason}' then '{PausedReasons.MissedOffer}' end
                   as paused_reason_code
        from operators o join accounts a on a.id = o.account_id
             left join calls c on c.id = o.call_id
        order by a.display_name, o.account_id
        """;

    /// <summary>Every registered operator with status and call, for the manager's operator list.</summary>
    public async Task<IReadOnlyList<OperatorSummary>> OperatorsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OperatorSummary>(new CommandDefinition(OperatorsSql, cancellationToken: ct))).ToList();
    }

    /// <summary>The manager's figures. Operators are counted, not listed: hundreds of dashboards receive this.</summary>
    public async Task<ManagerView> ManagerViewAsync(CancellationToken ct) => (await SnapshotsAsync(ct)).Manager;

    /// <summary>
    /// The queue and the manager's figures of one moment: the live snapshots send both several times a
    /// second. Today's figures come from <see cref="TodayCounts"/>, which does not count the whole day each time.
    /// </summary>
    public async Task<(QueueSnapshot Queue, ManagerView Manager)> SnapshotsAsync(CancellationToken ct)
    {
        const string Sql = $"""
            {QueueSql}

            {OperatorsSql};
            """;
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        QueueSnapshot queue;
        List<OperatorSummary> operators;
        await using (var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { limit = ListedCalls }, cancellationToken: ct)))
        {
            queue = await ReadQueueAsync(read, now);
            operators = (await read.ReadAsync<OperatorSummary>()).ToList();
        }

        var today = await todayCounts.ReadAsync(conn, now, StartOfDay(now, options.Value.TimeZone), ct);
        var byStatus = operators
            .GroupBy(o => o.CallId is not null ? "on_call" : o.Connected || o.Status == OperatorStatuses.Offline ? o.Status : "disconnected")
            .ToDictionary(g => g.Key, g => g.Count());
        var (answered, withinTarget, abandoned) = (today.Sum(t => t.Answered), today.Sum(t => t.WithinTarget), today.Sum(t => t.Abandoned));
        var shortAbandoned = today.Sum(t => t.ShortAbandoned);
        var counted = answered + abandoned - shortAbandoned;
        return (queue, new ManagerView(now, queue.Length, queue.LongestWaitSeconds, byStatus,
            today.Select(t => new MunicipalityCount(t.MunicipalityCode, t.Calls)).ToList(),
            answered, withinTarget, abandoned, counted == 0 ? null : (double)withinTarget / counted, shortAbandoned));
    }

    public async Task<OperatorSync> SyncAsync(Guid accountId, CancellationToken ct)
    {
        const string Sql = $"""
            select {OperatorRow.Columns} from operators o where o.account_id = @accountId;

            select {CallRow.Columns} from calls
            where id in (select unnest(array[o.call_id, o.offered_call_id]) from operators o where o.account_id = @accountId)
              and ((state = 'connected' and operator_id = @accountId) or (state = 'offered' and offered_to = @accountId));
            """;
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        OperatorRow? me;
        List<CallRow> calls;
        await using (var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { accountId }, cancellationToken: ct)))
        {
            me = await read.ReadSingleOrDefaultAsync<OperatorRow>();
            calls = (await read.ReadAsync<CallRow>()).ToList();
        }

        var current = calls.FirstOrDefault(c => c.State == CallStates.Connected);
        var offered = calls.FirstOrDefault(c => c.State == CallStates.Offered);
        // The current call comes with its suggested destinations and the caller's recent contacts, as when it was accepted.
        var currentView = current is null ? null
            : await recentContacts.ForCallAsync(conn, await destinations.ForCallAsync(conn, current.ToView(notices), now, ct), now, ct);
        return new OperatorSync(
            me?.ToState(), currentView,
            offered is null ? null : new CallOffer(offered.ToView(notices), offered.OfferExpiresAt!.Value),
            await QueueAsync(conn, now, ct), notices.Current());
    }

    /// <summary>Midnight today in the switchboard's time zone, as an instant.</summary>
    public static DateTimeOffset StartOfDay(DateTimeOffset now, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUniversalTime();
    }

    private sealed record QueueHead(int Length, DateTimeOffset? Oldest);

}

/// <summary>
/// Coalesces changes into snapshots: at most one queue snapshot and one manager view per
/// interval, and none when nothing changed, however many events happened and dashboards listen. On the
/// leader node only: its snapshots reach the dashboards on every node through the backplane. None is
/// computed while no connection receives it: the changes wait, and the first dashboard to connect gets a
/// snapshot at the next tick (docs/decisions/0024-one-commit-per-accept-snapshots-only-while-watched.md).
/// </summary>
public sealed class LiveSnapshots(
    LiveView view, LiveChanges changes, IHubContext<SwitchboardHub, ISwitchboardClient> hub, TimeProvider clock,
    IOptions<RoutingOptions> options, ClusterNode cluster, LocalHubConnections connections, ILogger<LiveSnapshots> logger) : BackgroundService
{
    private long _computed, _managerViews;

    /// <summary>How many times this node has read the snapshots from the database since it started.</summary>
    public long Computed => Interlocked.Read(ref _computed);

    /// <summary>How many of them included the manager's figures (the operators and today's counts).</summary>
    public long ManagerViews => Interlocked.Read(ref _managerViews);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    /// <summary>
    /// This node's own connections and the other nodes' audiences as their locks say (docs/decisions/0028):
    /// a node whose first operator or manager connects takes its lock and tells the leader at once.
    /// </summary>
    private Audience Listening() => (Audience)Math.Max((int)connections.Watching(), (int)cluster.OthersWatching);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        // A new leader sends a snapshot at once: the last one may be from before the previous leader died.
        changes.MarkHere();
        var interval = options.Value.SnapshotInterval;
        var sentTo = Audience.None;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // With no one to receive it, nothing is read and the changes wait. A dashboard that joins (the
            // first operator, the first manager) gets a snapshot now, even if nothing changed since.
            var audience = Listening();
            var joined = audience > sentTo;
            sentTo = audience;
            if (audience == Audience.None || (!changes.TakeMark() && !joined))
            {
                continue;
            }

            try
            {
                Interlocked.Increment(ref _computed);
                Task sending;
                if (audience == Audience.QueueAndManagers)
                {
                    Interlocked.Increment(ref _managerViews);
                    var (queue, manager) = await view.SnapshotsAsync(stoppingToken);
                    sending = Task.WhenAll(
                        hub.Clients.Groups(HubGroups.Operators, HubGroups.Managers).QueueChanged(queue),
                        hub.Clients.Group(HubGroups.Managers).ManagerViewChanged(manager));
                }
                else
                {
                    // Operators only: the queue is one statement's read; the manager's figures wait for a manager.
                    sending = hub.Clients.Group(HubGroups.Operators).QueueChanged(await view.QueueAsync(stoppingToken));
                }

                // A send completes when every connection has taken the snapshot. One that reads slowly
                // (a frozen browser, a bad network) must not hold up the next snapshot for everyone
                // else: wait at most one interval, then let the slow ones catch up on their own. Writes
                // to one connection stay in order; the server drops a connection silent for
                // ClientTimeoutInterval (30 s), which bounds what waits for it.
                if (await Task.WhenAny(sending, Task.Delay(interval, clock, stoppingToken)) != sending)
                {
                    _ = ObserveAsync(sending);
                }
                else
                {
                    await sending;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoutingLog.SnapshotFailed(logger, ex);
                changes.Mark();
            }
        }
    }

    private async Task ObserveAsync(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception ex)
        {
            RoutingLog.SnapshotFailed(logger, ex);
        }
    }
}
