using System.Diagnostics;

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
        // Transport timing, not domain time: a poll waits on the wall clock. A node that stops answers
        // its polls at once, so that the platform polls again on another node rather than wait.
        var started = Stopwatch.GetTimestamp();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        if (wait > TimeSpan.Zero && NothingNewSince(after) is { } quiet)
        {
            // The last read found everything there was for this `after`: nothing is read until a pulse
            // says something was stored, or the last read is SkipWindow old (docs/decisions/0019).
            var until = quiet.Window < wait ? quiet.Window : wait;
            try
            {
                await quiet.Pulsed.WaitAsync(until, stopping.Token);
            }
            catch (TimeoutException)
            {
                // Read now: a pulse may have been lost.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Nothing was pending at the last read and no pulse has come since.
                return new InstructionBatch([], after);
            }
        }

        var waiting = Volatile.Read(ref _next).Task;
        var batch = await ReadAsync(after, limit, waiting, ct);
        var left = wait - Stopwatch.GetElapsedTime(started);
        if (batch.Instructions.Count > 0 || left <= TimeSpan.Zero)
        {
            return batch;
        }

        try
        {
            await waiting.WaitAsync(left, stopping.Token);
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

        return await ReadAsync(after, limit, Volatile.Read(ref _next).Task, ct);
    }

    /// <summary>
    /// How long after a read that found everything pending a long poll waits for a pulse before it reads
    /// (docs/decisions/0019): the longest an instruction whose pulse was lost waits for it beyond what it
    /// would without the skip. Settable for tests only.
    /// </summary>
    internal TimeSpan SkipWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many reads this node's polls made (each one statement at least, in a transaction of its own). For tests.</summary>
    internal long Reads => Interlocked.Read(ref _reads);

    private long _reads;
    private Quiet? _quiet;

    // What the last complete read of this node saw: at its snapshot no unacknowledged instruction had a
    // seq above Covered, and none read comes due for redelivery before DueAt. Pulsed completes at the
    // first pulse after the read began, so any instruction committed after its snapshot completes it.
    private sealed record Quiet(long Covered, DateTimeOffset DueAt, Task Pulsed, long StartedAt);

    private sealed record QuietWait(Task Pulsed, TimeSpan Window);

    // Whether a read now could find something the last read did not: not when that read began within
    // SkipWindow, covered this `after`, saw nothing come due since, and no pulse has come since it
    // began. Then the wait is on that read's pulse, for the rest of the window.
    private QuietWait? NothingNewSince(long after)
    {
        Quiet? quiet;
        lock (_mark)
        {
            quiet = _quiet;
        }

        if (quiet is null || after < quiet.Covered || clock.GetUtcNow() >= quiet.DueAt)
        {
            return null;
        }

        var left = SkipWindow - Stopwatch.GetElapsedTime(quiet.StartedAt);
        return left > TimeSpan.Zero ? new QuietWait(quiet.Pulsed, left) : null;
    }

    private void Remember(Quiet read)
    {
        // The read that began last says the most; reads that overlap may end in any order.
        lock (_mark)
        {
            if (_quiet is null || _quiet.StartedAt <= read.StartedAt)
            {
                _quiet = read;
            }
        }
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

    // `pulsed` is taken before the read begins: it completes at the first pulse after.
    private async Task<InstructionBatch> ReadAsync(long after, int limit, Task pulsed, CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _reads);
        var now = clock.GetUtcNow();
        var redeliverBefore = now - options.Value.RedeliverAfter;
        var instructions = new List<TelephonyInstruction>();
        var oldestPending = DateTimeOffset.MaxValue;
        var complete = false;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var from = LowWaterMark;
        while (true)
        {
            var scanned = (await conn.QueryAsync<ScanRow>(new CommandDefinition(ScanSql, new { from, scan = ScanChunk }, cancellationToken: ct))).ToList();
            var rows = scanned.Where(r => r.Seq is not null).ToList();
            Advance(from, rows, scanned[0], now);
            foreach (var row in rows.Where(r => !r.Acknowledged))
            {
                if (row.CreatedAt < oldestPending)
                {
                    oldestPending = row.CreatedAt.Value;
                }

                if (instructions.Count < limit && (row.Seq > after || row.CreatedAt <= redeliverBefore))
                {
                    instructions.Add(row.ToInstruction());
                }
            }

            if (instructions.Count == limit)
            {
                break;
            }

            if (rows.Count < ScanChunk)
            {
                complete = true;
                break;
            }

            from = rows[^1].Seq!.Value + 1;
        }

        var lastSeq = instructions.Count == 0 ? after : Math.Max(after, instructions.Max(i => i.Seq));
        if (complete)
        {
            // Every unacknowledged instruction above lastSeq was read, and each one read comes due for
            // redelivery RedeliverAfter after it was stored.
            var dueAt = oldestPending == DateTimeOffset.MaxValue ? DateTimeOffset.MaxValue : oldestPending + options.Value.RedeliverAfter;
            Remember(new Quiet(lastSeq, dueAt, pulsed, startedAt));
        }

        return new InstructionBatch(instructions, lastSeq);
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
