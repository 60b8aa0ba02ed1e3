using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.Routing;

/// <summary>What the screens show: the queue, the manager's figures, an operator's full state.</summary>
public sealed class LiveView(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, NoticeBoard notices, Destinations destinations)
{
    // The head of the queue; the length and longest wait cover the rest. Kept short because every
    // operator and manager screen receives it several times a second.
    private const int ListedCalls = 30;

    public async Task<QueueSnapshot> QueueAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await QueueAsync(conn, clock.GetUtcNow(), ct);
    }

    private static async Task<QueueSnapshot> QueueAsync(NpgsqlConnection conn, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select count(*)::int as length, min(queued_at) as oldest from calls where state in ('queued', 'offered');

            select id, state, municipality_code, menu_topic, priority, queued_at, offered_to
            from calls where state in ('queued', 'offered')
            order by priority desc, queued_at, id
            limit @limit;
            """;
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { limit = ListedCalls }, cancellationToken: ct));
        var head = await read.ReadSingleAsync<QueueHead>();
        var calls = (await read.ReadAsync<QueuedCall>()).ToList();
        var longest = head.Oldest is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
        return new QueueSnapshot(now, head.Length, longest, calls);
    }

    private const string OperatorsSql = """
        select o.account_id, a.display_name, o.team, o.status, o.paused_reason, o.disconnected_at is null as connected,
               (select c.id from calls c where c.state = 'connected' and c.operator_id = o.account_id) as call_id
        from operators o join accounts a on a.id = o.account_id
        order by a.display_name, o.account_id
        """;

    /// <summary>Every registered operator with status and call, for the manager's operator list.</summary>
    public async Task<IReadOnlyList<OperatorSummary>> OperatorsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OperatorSummary>(new CommandDefinition(OperatorsSql, cancellationToken: ct))).ToList();
    }

    /// <summary>The manager's figures. Operators are counted, not listed: hundreds of dashboards receive this.</summary>
    public async Task<ManagerView> ManagerViewAsync(CancellationToken ct)
    {
        const string Sql = $"""
            {OperatorsSql};

            select coalesce(municipality_code, 'unknown') as municipality_code, count(*)::int as calls
            from calls where queued_at >= @dayStart
            group by 1 order by 1;

            select count(*) filter (where answered_at is not null)::int as answered,
                   count(*) filter (where answered_at is not null and answered_at - queued_at <= @target)::int as within_target,
                   count(*) filter (where state = 'abandoned' and caller_left_at - queued_at > @shortAbandon)::int as abandoned
            from calls where queued_at >= @dayStart;
            """;
        var now = clock.GetUtcNow();
        var opts = options.Value;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var queue = await QueueAsync(conn, now, ct);
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new
        {
            dayStart = StartOfDay(now, opts.TimeZone), target = opts.ServiceLevelTarget, shortAbandon = opts.ShortAbandon,
        }, cancellationToken: ct));
        var operators = (await read.ReadAsync<OperatorSummary>()).ToList();
        var perMunicipality = (await read.ReadAsync<MunicipalityCount>()).ToList();
        var today = await read.ReadSingleAsync<Today>();
        var byStatus = operators
            .GroupBy(o => o.CallId is not null ? "on_call" : o.Connected || o.Status == OperatorStatuses.Offline ? o.Status : "disconnected")
            .ToDictionary(g => g.Key, g => g.Count());
        var counted = today.Answered + today.Abandoned;
        return new ManagerView(now, queue.Length, queue.LongestWaitSeconds, byStatus, perMunicipality,
            today.Answered, today.WithinTarget, today.Abandoned, counted == 0 ? null : (double)today.WithinTarget / counted);
    }

    public async Task<OperatorSync> SyncAsync(Guid accountId, CancellationToken ct)
    {
        const string Sql = $"""
            select {OperatorRow.Columns} from operators o where o.account_id = @accountId;

            select {CallRow.Columns} from calls
            where (state = 'connected' and operator_id = @accountId) or (state = 'offered' and offered_to = @accountId);
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
        // The current call comes with its suggested destinations, as when it was accepted.
        var currentView = current is null ? null : current.ToView(notices) with
        {
            Suggestions = await destinations.ForCallAsync(conn, current.Id, current.MunicipalityCode, current.MenuTopic, now, ct),
        };
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

    private sealed record Today(int Answered, int WithinTarget, int Abandoned);
}

/// <summary>
/// Coalesces changes into snapshots: at most one queue snapshot and one manager view per
/// interval, and none when nothing changed, however many events happened and dashboards listen.
/// </summary>
public sealed class LiveSnapshots(
    LiveView view, LiveChanges changes, IHubContext<SwitchboardHub, ISwitchboardClient> hub, TimeProvider clock,
    IOptions<RoutingOptions> options, ILogger<LiveSnapshots> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SnapshotInterval;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!changes.TakeMark())
            {
                continue;
            }

            try
            {
                var manager = await view.ManagerViewAsync(stoppingToken);
                var queue = await view.QueueAsync(stoppingToken);
                var sending = Task.WhenAll(
                    hub.Clients.Groups(HubGroups.Operators, HubGroups.Managers).QueueChanged(queue),
                    hub.Clients.Group(HubGroups.Managers).ManagerViewChanged(manager));
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
