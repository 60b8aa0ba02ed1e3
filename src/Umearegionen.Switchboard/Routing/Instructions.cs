namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The outbox of instructions to the telephony platform. Instructions are written in the same
/// statement as the state change that causes them, and read by the platform's long poll, on whichever
/// node the platform's request reached: new instructions wake the polls of every node.
/// </summary>
public sealed class Instructions(
    NpgsqlDataSource dataSource, TimeProvider clock, Microsoft.Extensions.Options.IOptions<TelephonyOptions> options, ClusterSignals signals,
    IHostApplicationLifetime lifetime)
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes pollers, on every node: new instructions are stored.</summary>
    public void Pulse()
    {
        PulseHere();
        signals.Publish(Signal.Instructions);
    }

    /// <summary>Wakes this node's pollers (another node stored instructions).</summary>
    internal void PulseHere() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task<InstructionBatch> PollAsync(long after, TimeSpan wait, int limit, CancellationToken ct)
    {
        wait = wait > options.Value.MaxPollWait ? options.Value.MaxPollWait : wait;
        var waiting = Volatile.Read(ref _next).Task;
        var batch = await ReadAsync(after, limit, ct);
        if (batch.Instructions.Count > 0 || wait <= TimeSpan.Zero)
        {
            return batch;
        }

        try
        {
            // Transport timing, not domain time: a poll waits on the wall clock. A node that stops answers
            // its polls at once, so that the platform polls again on another node rather than wait.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            await waiting.WaitAsync(wait, stopping.Token);
        }
        catch (TimeoutException)
        {
            return batch;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The platform gave up waiting; nobody reads this answer.
            return batch;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return batch;
        }

        return await ReadAsync(after, limit, ct);
    }

    // The instructions from the low-water mark on, in seq order, and in the same snapshot what the
    // mark's advance needs: the highest seq stored and the snapshot's transaction ids. Acknowledged
    // rows come without their payload.
    private const string ScanSql = """
        select s.snapshot_xmin, s.snapshot_xmax, s.max_seq, t.seq, coalesce(t.acknowledged, true) as acknowledged, t.platform_call_id, t.kind, t.payload, t.created_at
        from (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as snapshot_xmin,
                     pg_snapshot_xmax(pg_current_snapshot())::text::bigint as snapshot_xmax,
                     (select max(seq) from telephony_instructions) as max_seq) s
        left join lateral (
            select seq, acknowledged_at is not null as acknowledged, platform_call_id, kind,
                   case when acknowledged_at is null then payload::text end as payload, created_at
            from telephony_instructions
            where seq >= @from
            order by seq
            limit @scan
        ) t on true
        order by t.seq
        """;

    /// <summary>How many instructions one statement of a poll reads at most; a poll reads on while it finds fewer than its limit.</summary>
    internal const int ScanChunk = 5000;

    /// <summary>
    /// How long a seq no row has must have been seen missing, besides every transaction then running
    /// having ended, before the mark passes it (<see cref="LowWaterMark"/>).
    /// </summary>
    internal static readonly TimeSpan GapSettles = TimeSpan.FromSeconds(10);

    private readonly Lock _mark = new();
    private long _low = 1;
    private long _resolvedBelow = 1;
    private long _resolvedXmax;
    private Observation? _observation;

    /// <summary>
    /// This node's low-water mark: every instruction with a lower seq is acknowledged, or its seq will
    /// never have a row. A poll reads from here on through the primary key, so no index has to name
    /// acknowledged_at and an acknowledgement is a HOT update (docs/call-cost.md P1). Polls move the
    /// mark over the acknowledged instructions they read. A seq with no row is either an instruction
    /// whose statement has not committed yet or one rolled back: the mark passes it only once every
    /// transaction running when it was first seen missing has ended, and <see cref="GapSettles"/> has
    /// passed (a statement takes its seq an instant before it takes a transaction id when the
    /// instruction is its first write). Each node keeps its own; after a start it begins at 1.
    /// </summary>
    internal long LowWaterMark
    {
        get
        {
            lock (_mark)
            {
                return _low;
            }
        }
    }

    private async Task<InstructionBatch> ReadAsync(long after, int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var redeliverBefore = now - options.Value.RedeliverAfter;
        var instructions = new List<TelephonyInstruction>();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var from = LowWaterMark;
        while (true)
        {
            var scanned = (await conn.QueryAsync<ScanRow>(new CommandDefinition(ScanSql, new { from, scan = ScanChunk }, cancellationToken: ct))).ToList();
            var rows = scanned.Where(r => r.Seq is not null).ToList();
            Advance(from, rows, scanned[0], now);
            foreach (var row in rows.Where(r => !r.Acknowledged && (r.Seq > after || r.CreatedAt <= redeliverBefore)))
            {
                instructions.Add(row.ToInstruction());
                if (instructions.Count == limit)
                {
                    break;
                }
            }

            if (instructions.Count == limit || rows.Count < ScanChunk)
            {
                break;
            }

            from = rows[^1].Seq!.Value + 1;
        }

        return new InstructionBatch(instructions, instructions.Count == 0 ? after : Math.Max(after, instructions.Max(i => i.Seq)));
    }

    // Moves the mark over what one statement read from `from` on, when the mark stood there.
    private void Advance(long from, List<ScanRow> rows, ScanRow snapshot, DateTimeOffset now)
    {
        lock (_mark)
        {
            // Every transaction running when the seqs missing up to the observation's highest were seen
            // has ended: those seqs are rows already read (committed) or never (rolled back).
            if (_observation is { } seen && snapshot.SnapshotXmin >= seen.SnapshotXmax && now - seen.At >= GapSettles)
            {
                _resolvedBelow = Math.Max(_resolvedBelow, seen.MaxSeq + 1);
                _resolvedXmax = seen.SnapshotXmax;
                _observation = null;
            }

            _observation ??= new Observation(snapshot.MaxSeq ?? 0, snapshot.SnapshotXmax, now);
            if (from != _low)
            {
                return;
            }

            // A statement whose snapshot is older than the resolution's may miss rows committed since.
            var resolvedBelow = snapshot.SnapshotXmin >= _resolvedXmax ? _resolvedBelow : 0;
            var expected = _low;
            foreach (var row in rows)
            {
                var seq = row.Seq!.Value;
                if (seq > expected)
                {
                    // Seqs without a row: passed only when known never to have one.
                    if (seq > resolvedBelow)
                    {
                        expected = Math.Max(expected, resolvedBelow);
                        break;
                    }

                    expected = seq;
                }

                if (!row.Acknowledged)
                {
                    break;
                }

                expected = seq + 1;
            }

            _low = expected;
        }
    }

    private const string AcknowledgeSql = """
        update telephony_instructions set acknowledged_at = @now
        where seq = any(@seqs) and acknowledged_at is null
        """;

    public async Task<int> AcknowledgeAsync(IReadOnlyList<long> seqs, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await AcknowledgeAsync(conn, null, seqs, ct);
    }

    /// <summary>
    /// Acknowledges on <paramref name="conn"/>, inside <paramref name="tx"/> when given (a platform's
    /// report, <see cref="PlatformReports"/>); the number of instructions not acknowledged before.
    /// </summary>
    internal async Task<int> AcknowledgeAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<long> seqs, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition(AcknowledgeSql, new { seqs = seqs.ToArray(), now = clock.GetUtcNow() }, tx, cancellationToken: ct));

    private sealed record Observation(long MaxSeq, long SnapshotXmax, DateTimeOffset At);

    private sealed record ScanRow(
        long SnapshotXmin, long SnapshotXmax, long? MaxSeq, long? Seq, bool Acknowledged, string? PlatformCallId, string? Kind,
        string? Payload, DateTimeOffset? CreatedAt)
    {
        public TelephonyInstruction ToInstruction()
        {
            var payload = System.Text.Json.JsonSerializer.Deserialize<Payload>(Payload!, Json.Web)!;
            return new TelephonyInstruction(Seq!.Value, PlatformCallId!, Kind!, payload.OperatorId, payload.Mode, payload.Destination, CreatedAt!.Value, payload.Note);
        }
    }

    private sealed record Payload(Guid? OperatorId, string? Mode, Destination? Destination, string? Note);
}
