namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Offers waiting calls to free operators. One loop in the service, on the leader node
/// (<see cref="ClusterNode"/>), woken when a call arrives or an operator becomes free, on any node
/// (<see cref="Platform.Cluster.Signal.Dispatch"/>), and by the sweeper's tick while calls wait, for the cover threshold; each round reads the
/// queue and the free operators in one round trip, asks <see cref="RoutingPolicy"/> who gets what,
/// and stores every offer of the round in one statement before telling the operators. A node that
/// lost the lead and still finishes a round cannot offer a call twice: each offer is stored only if
/// the call is still queued and the operator's count of assignments is the one read.
/// </summary>
public sealed class Dispatcher(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, RoutingNotifier notifier,
    Instructions instructions, NoticeBoard notices, ClusterNode cluster, ClusterSignals signals, ILogger<Dispatcher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private NpgsqlConnection? _connection;

    // Whether a call may be waiting: false only after a round left none waiting and nothing since could
    // have queued one. A freed operator needs a round only while it is true.
    private volatile bool _callsMayWait = true;
    private long _operatorsFreed;

    /// <summary>A call may be waiting: one arrived or went back to the queue, an operator's status or team
    /// changed, or the sweeper's tick while calls wait (the cover threshold).</summary>
    public void Wake(SignalCarrier? carried = null)
    {
        WakeHere();
        if (!cluster.IsLeader)
        {
            signals.Publish(Platform.Cluster.Signal.Dispatch, carried);
        }
    }

    /// <summary>What <see cref="Wake"/> tells the other nodes: the dispatcher runs on another node.</summary>
    public Platform.Cluster.Signal WakeSignal => cluster.IsLeader ? Platform.Cluster.Signal.None : Platform.Cluster.Signal.Dispatch;

    /// <summary>What <see cref="OperatorFreed"/> tells the other nodes.</summary>
    public Platform.Cluster.Signal FreedSignal => cluster.IsLeader ? Platform.Cluster.Signal.None : Platform.Cluster.Signal.OperatorFreed;

    /// <summary>Wake on this node only (another node's <see cref="Platform.Cluster.Signal.Dispatch"/>).</summary>
    internal void WakeHere()
    {
        _callsMayWait = true;
        Signal();
    }

    /// <summary>
    /// An operator became free by finishing a call. Worth a round only if the last round left calls
    /// waiting: at 200 calls/s four rounds in ten found an empty queue and held up the next arrival's
    /// round (docs/performance.md, tuning rules).
    /// </summary>
    public void OperatorFreed(SignalCarrier? carried = null)
    {
        FreedHere();
        if (!cluster.IsLeader)
        {
            signals.Publish(Platform.Cluster.Signal.OperatorFreed, carried);
        }
    }

    /// <summary>Freed on this node only (another node's <see cref="Platform.Cluster.Signal.OperatorFreed"/>).</summary>
    internal void FreedHere()
    {
        Interlocked.Increment(ref _operatorsFreed);
        if (_callsMayWait)
        {
            Signal();
        }
    }

    // Already signalled, the next round sees this change too.
    private void Signal() => _wake.Wake();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    /// <summary>The rounds, for as long as this node leads.</summary>
    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        // Calls may have queued while another node led, or none did.
        WakeHere();
        try
        {
            await RoundsAsync(stoppingToken);
        }
        finally
        {
            await DropConnectionAsync();
        }
    }

    private async Task RoundsAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(stoppingToken);
            try
            {
                // A full batch means more may be waiting for operators freed meanwhile.
                while (await RoundAsync(stoppingToken) >= options.Value.DispatchBatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoutingLog.DispatchFailed(logger, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
                WakeHere();
            }
        }
    }

    /// <summary>One dispatch round; returns how many calls were offered.</summary>
    private async Task<int> RoundAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Cleared before the read: whatever queues a call after it sets it again and signals the next round.
        _callsMayWait = false;
        var freedBefore = Interlocked.Read(ref _operatorsFreed);
        var conn = await ConnectionAsync(ct);
        try
        {
            var (offered, callsLeft) = await RoundAsync(conn, now, options.Value, ct);
            if (callsLeft)
            {
                _callsMayWait = true;
                // An operator freed during this round found the flag cleared and did not signal, and the
                // read may have missed them.
                if (Interlocked.Read(ref _operatorsFreed) != freedBefore)
                {
                    Signal();
                }
            }

            return offered;
        }
        catch
        {
            // Whatever broke, the next round starts on a fresh connection.
            await DropConnectionAsync();
            throw;
        }
    }

    /// <summary>
    /// One round on a connection of its own, whether or not this node leads, through the same read,
    /// assignment and offer as the loop's rounds. For tests: a node that is not the leader runs a round
    /// as a leader that has just lost the lead would, and the database alone must keep it from offering
    /// a call twice. Returns how many calls it offered.
    /// </summary>
    internal async Task<int> RoundOnceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var (offered, _) = await RoundAsync(conn, clock.GetUtcNow(), options.Value, ct);
        return offered;
    }

    // Each offer only if the call is still waiting and the operator still free: a caller may hang
    // up, an operator pause, or an intake offer its own call to the operator, between the read and
    // this statement. The operator's count of assignments (docs/decisions/0008) must be the one read
    // and their row hold neither an offer nor a call (docs/decisions/0016); the statement locks the
    // operator's row first (`l`), then the call's, as the intake and an accept do, and writes the offer
    // on the operator's row only for the calls it offered (`op`).
    private static readonly string OfferSql = $"""
        with a as (
            select * from unnest(@calls::uuid[], @operators::uuid[], @seen::bigint[]) as a(call_id, to_operator, seen)
        ), l as (
            select o.account_id, a.call_id
            from operators o join a on o.account_id = a.to_operator
            where o.assignments = a.seen and o.status = 'available' and o.disconnected_at is null
              and o.offered_call_id is null and o.call_id is null
            for update of o
        ), c as (
            update calls set state = 'offered', offered_to = l.account_id, offered_at = @now,
                             offer_expires_at = @expires, version = version + 1
            from l
            where calls.id = l.call_id and calls.state = 'queued'
            returning {CallRow.Columns}
        ), op as (
            update operators o set assignments = o.assignments + 1, offered_call_id = c.id
            from c
            where o.account_id = c.offered_to
        ), {CallSql.Dequeue()}, {CallSql.Offer()},
        {CallSql.Event("'offered'", actor: "'dispatcher'", data: CallSql.OfferedData)}
        select {CallRow.Columns} from c
        """;

    // The queue is read only as far as the free operators can take it (docs/decisions/0037): as many
    // calls as there are free main-team operators and one more, which tells that calls wait when no one
    // is free; the whole batch when a cover operator is free, since the cover may take only calls that
    // waited past the threshold, further back. An empty queue costs no read of the operators.
    internal const string QueueReadSql = $"""
        select call_id as id, priority, queued_at from call_queue
        order by priority desc, queued_at, call_id
        limit case when exists (select 1 from call_queue) then
                   (select case when bool_or(o.team = 'cover') then @batch else least(count(*) + 1, @batch) end
                    from operators o
                    where o.status = 'available' and o.disconnected_at is null
                      and o.offered_call_id is null and o.call_id is null
                      and {ActiveOperatorAccount.Condition})
               else 0 end;
        """;

    /// <summary>Reads, assigns and offers; says how many were offered and whether calls are left waiting.</summary>
    private async Task<(int Offered, bool CallsLeft)> RoundAsync(NpgsqlConnection conn, DateTimeOffset now, RoutingOptions opts, CancellationToken ct)
    {
        const string ReadSql = $"""
            {QueueReadSql}

            -- Read only when a call waits: a round woken by a finished call often finds the queue empty,
            -- and reading the free operators is most of the round's work.
            select o.account_id as id, o.team = 'cover' as cover, o.idle_since, o.assignments
            from operators o
            where exists (select 1 from call_queue)
              and o.status = 'available' and o.disconnected_at is null
              and o.offered_call_id is null and o.call_id is null
              and {ActiveOperatorAccount.Condition};

            select exists (select 1 from operators
                           where team = 'main' and status = 'available' and disconnected_at is null);
            """;

        List<WaitingCall> queue;
        List<FreeOperatorRow> free;
        bool mainOnDuty;
        await using (var read = await conn.QueryMultipleAsync(new CommandDefinition(ReadSql, new { batch = opts.DispatchBatchSize }, cancellationToken: ct)))
        {
            queue = (await read.ReadAsync<WaitingCall>()).ToList();
            free = (await read.ReadAsync<FreeOperatorRow>()).ToList();
            mainOnDuty = await read.ReadSingleAsync<bool>();
        }

        if (queue.Count == 0)
        {
            return (0, false);
        }

        var assignments = free.Count == 0
            ? []
            : RoutingPolicy.Assign(queue, free.Select(o => new FreeOperator(o.Id, o.Cover, o.IdleSince)), mainOnDuty, opts.CoverThreshold, now);
        if (assignments.Count == 0)
        {
            return (0, true);
        }

        var expires = now + opts.OfferTimeout;
        // A long poll waiting on this node gets its read from the offers' transaction (docs/decisions/0031).
        var rider = instructions.Ride();
        var args = rider.AddTo(new DynamicParameters(new
        {
            calls = assignments.Select(a => a.CallId).ToArray(),
            operators = assignments.Select(a => a.OperatorId).ToArray(),
            seen = assignments.Select(a => free.First(o => o.Id == a.OperatorId).Assignments).ToArray(),
            now, expires,
        }));
        List<CallRow> offered;
        await using (var results = await conn.QueryMultipleAsync(new CommandDefinition(rider.After(OfferSql), args, cancellationToken: ct)))
        {
            offered = (await results.ReadAsync<CallRow>()).ToList();
            await rider.ReadAsync(results);
        }

        instructions.Pulse(null, rider);
        notifier.Changed();
        foreach (var call in offered)
        {
            Offered(call, expires);
        }

        // An offer not made because its operator was taken meanwhile (by an intake's offer or a call
        // picked from the queue) leaves its call waiting while other operators may be free: read again.
        if (offered.Count < assignments.Count)
        {
            Signal();
        }

        // The read stopped where the free operators did, so calls may wait behind those it read, even when
        // every one of them was offered (operators freed between the two reads take more than were read).
        return (offered.Count, true);
    }

    /// <summary>
    /// The dispatcher keeps one connection of the pool for itself. Its rounds are one at a time and
    /// every offer waits for them, so they must not queue for a connection behind the intakes and
    /// acceptances when the pool is busy.
    /// </summary>
    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        await DropConnectionAsync();
        return _connection = await dataSource.OpenConnectionAsync(ct);
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is { } conn)
        {
            _connection = null;
            await conn.DisposeAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DropConnectionAsync();
    }

    private sealed record FreeOperatorRow(Guid Id, bool Cover, DateTimeOffset IdleSince, long Assignments);

    /// <summary>Tells the operator of an offer once it is stored, whoever made it (this loop or an intake).</summary>
    internal void Offered(CallRow call, DateTimeOffset expires)
    {
        RoutingLog.CallOffered(logger, call.Id, call.OfferedTo!.Value);
        // Not awaited: an operator whose connection reads slowly (a frozen browser, a bad network)
        // must not hold up the offers to everyone else. The offer is stored; if the push fails the
        // offer lapses and the call is offered again.
        _ = PushOfferAsync(call.Id, call.OfferedTo!.Value, new CallOffer(call.ToView(notices), expires));
    }

    private async Task PushOfferAsync(Guid callId, Guid operatorId, CallOffer offer)
    {
        try
        {
            await notifier.OfferAsync(operatorId, offer);
        }
        catch (Exception ex)
        {
            RoutingLog.OfferPushFailed(logger, ex, callId, operatorId);
        }
    }
}
