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
    private Generation _next = new();

    /// <summary>
    /// The time between two pulses. <see cref="Done"/> completes at the pulse that ends it; <see cref="Xid"/>
    /// is then the transaction whose commit that pulse announced (another node's, docs/decisions/0025), or
    /// null for this node's own pulses and an older node's, and <see cref="Next"/> the generation after it.
    /// </summary>
    internal sealed class Generation
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ulong? Xid { get; set; }

        public Generation? Next { get; set; }

        /// <summary>The outbox as the write whose pulse ended this generation read it, when it rode (<see cref="Rider"/>).</summary>
        public Handed? Handed { get; set; }
    }

    /// <summary>
    /// What a rider read in its write's transaction, from <paramref name="From"/>, handed to the polls its pulse
    /// wakes. <paramref name="Pulsed"/> is the generation after that pulse: no pulse came between the scan and it.
    /// </summary>
    internal sealed record Handed(long From, List<ScanRow> Scanned, Generation Pulsed, long StartedAt);

    /// <summary>
    /// A read's snapshot (its first statement's; later statements of the same read see at least as much).
    /// A pulse for a transaction it saw committed announces nothing the read did not find.
    /// </summary>
    private sealed record Seen(long Xmin, long Xmax, long[] Running)
    {
        public bool Committed(ulong xid) => xid < (ulong)Xmin || (xid < (ulong)Xmax && Array.IndexOf(Running, (long)xid) < 0);

        /// <summary>The transactions running at a snapshot, from its text form <c>xmin:xmax:xip,…</c>.</summary>
        public static long[] RunningAt(string snapshot)
        {
            var xip = snapshot[(snapshot.LastIndexOf(':') + 1)..];
            return xip.Length == 0 ? [] : [.. xip.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture))];
        }
    }

    // Waits for the first pulse after `from` began that may announce something `seen` did not see: a pulse
    // of this node, or one for a transaction the read's snapshot did not see committed (a pulse from
    // another node for an instruction the read found already would make it read again for nothing).
    // Returns the generation whose pulse woke it (its Handed rows, when a write of this node rode it).
    private async Task<Generation> WaitForNewAsync(Generation from, Seen? seen, TimeSpan within, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var generation = from;
        Interlocked.Increment(ref _waitingPolls);
        try
        {
            while (true)
            {
                var left = within - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await generation.Done.Task.WaitAsync(left, ct);
                if (seen is null || generation.Xid is not { } xid || !seen.Committed(xid) || generation.Next is not { } next)
                {
                    return generation;
                }

                Interlocked.Increment(ref _pulsesSeenAlready);
                generation = next;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingPolls);
        }
    }

    private long _waitingPolls;

    private long _pulsesSeenAlready;

    /// <summary>Pulses from other nodes that a waiting poll let pass because its read had seen their transaction. For tests.</summary>
    internal long PulsesSeenAlready => Interlocked.Read(ref _pulsesSeenAlready);

    /// <summary>Wakes pollers, on every node: new instructions are stored (unless <paramref name="carried"/> told the other nodes already).</summary>
    public void Pulse(SignalCarrier? carried = null) => Pulse(carried, null);

    /// <summary>
    /// Wakes pollers after a write that <paramref name="rider"/> rode: this node's waiting polls answer from
    /// what it read, unless another pulse came between its scan and this one (docs/decisions/0031).
    /// </summary>
    public void Pulse(SignalCarrier? carried, Rider? rider)
    {
        PulseHere(null, rider);
        signals.Publish(Signal.Instructions, carried);
    }

    /// <summary>What <see cref="Pulse"/> tells the other nodes: their long polls read again.</summary>
    public Signal Signal => Signal.Instructions;

    /// <summary>Wakes this node's pollers: this node stored instructions.</summary>
    internal void PulseHere() => PulseHere(null);

    /// <summary>
    /// Wakes this node's pollers: another node stored instructions, in the transaction <paramref name="xid"/>
    /// when it says (docs/decisions/0025). A poll whose read saw that transaction committed keeps waiting.
    /// </summary>
    internal void PulseHere(ulong? xid) => PulseHere(xid, null);

    private void PulseHere(ulong? xid, Rider? rider)
    {
        CountPulse();
        var fresh = new Generation();
        var ended = Interlocked.Exchange(ref _next, fresh);
        // Only when the generation ended is the one the rider took before its scan: then no pulse came
        // between, and the rows are complete up to every pulse so far. Otherwise the woken polls read.
        if (rider?.Taken(ended) is { } handed)
        {
            ended.Handed = handed with { Pulsed = fresh };
            Interlocked.Increment(ref _handedOn);
        }

        ended.Xid = xid;
        ended.Next = fresh;
        ended.Done.TrySetResult();
        // Every generation links the next: a last read older than its window would otherwise hold every
        // pulse since, on a node the platform stopped polling.
        lock (_mark)
        {
            if (_quiet is { } quiet && Stopwatch.GetElapsedTime(quiet.StartedAt) >= SkipWindow)
            {
                _quiet = null;
            }
        }
    }

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
                // Woken by a write that read for it (docs/decisions/0031): answered unless it found nothing
                // for this `after` and the wait goes on (then it reads, and waits, as below).
                var woke = await WaitForNewAsync(quiet.Pulsed, quiet.Seen, until, stopping.Token);
                if (woke.Handed is { } handed && Answer(handed, after, limit) is { } answer
                    && (answer.Instructions.Count > 0 || wait <= Stopwatch.GetElapsedTime(started)))
                {
                    Interlocked.Increment(ref _ridden);
                    return answer;
                }
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

        var waiting = Volatile.Read(ref _next);
        var (batch, seen) = await ReadAsync(after, limit, waiting, ct);
        var left = wait - Stopwatch.GetElapsedTime(started);
        if (batch.Instructions.Count > 0 || left <= TimeSpan.Zero)
        {
            return batch;
        }

        Generation woken;
        try
        {
            woken = await WaitForNewAsync(waiting, seen, left, stopping.Token);
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

        if (woken.Handed is { } rode && Answer(rode, after, limit) is { } ridden)
        {
            Interlocked.Increment(ref _ridden);
            return ridden;
        }

        return (await ReadAsync(after, limit, Volatile.Read(ref _next), ct)).Batch;
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
    private sealed record Quiet(long Covered, DateTimeOffset DueAt, Generation Pulsed, Seen Seen, long StartedAt);

    private sealed record QuietWait(Generation Pulsed, Seen Seen, TimeSpan Window);

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
        return left > TimeSpan.Zero ? new QuietWait(quiet.Pulsed, quiet.Seen, left) : null;
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
    private static string ScanOf(string from, string scan) => $"""
        select s.snapshot_xmin, s.snapshot_xmax, s.snapshot, s.max_seq, t.seq, coalesce(t.acknowledged, true) as acknowledged, t.platform_call_id, t.kind, t.payload, t.created_at
        from (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as snapshot_xmin,
                     pg_snapshot_xmax(pg_current_snapshot())::text::bigint as snapshot_xmax,
                     pg_current_snapshot()::text as snapshot,
                     (select max(seq) from telephony_instructions) as max_seq) s
        left join lateral (
            select seq, acknowledged_at is not null as acknowledged, platform_call_id, kind,
                   case when acknowledged_at is null then payload::text end as payload, created_at
            from telephony_instructions
            where seq >= {from}
            order by seq
            limit {scan}
        ) t on true
        order by t.seq
        """;
    private static readonly string ScanSql = ScanOf("@from", "@scan");

    // The same, with a rider's parameter (its write has its own) and the chunk as a literal: pg_stat_statements
    // counts the riders' scans apart from the polls' reads (docs/call-cost.md).
    private static readonly string RiderSql = ScanOf("@rider_from", ScanChunk.ToString(CultureInfo.InvariantCulture));


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
    private async Task<(InstructionBatch Batch, Seen Seen)> ReadAsync(long after, int limit, Generation pulsed, CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _reads);
        var now = clock.GetUtcNow();
        var instructions = new List<TelephonyInstruction>();
        var oldestPending = DateTimeOffset.MaxValue;
        var complete = false;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var from = LowWaterMark;
        Seen? seen = null;
        while (true)
        {
            var scanned = (await conn.QueryAsync<ScanRow>(new CommandDefinition(ScanSql, new { from, scan = ScanChunk }, cancellationToken: ct))).ToList();
            seen ??= SeenBy(scanned);
            var rows = Collect(from, scanned, after, limit, now, instructions, ref oldestPending);
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

        return (Batch(after, instructions, complete, oldestPending, pulsed, seen!, startedAt), seen!);
    }

    private static Seen SeenBy(List<ScanRow> scanned) =>
        new(scanned[0].SnapshotXmin, scanned[0].SnapshotXmax, Seen.RunningAt(scanned[0].Snapshot));

    // One statement's rows, as a read takes them: the mark moves over them, and the unacknowledged ones
    // above `after` (or come due for redelivery, or committed after this node's scans had passed their
    // seq) join the batch up to its limit. Returns the rows found.
    private List<ScanRow> Collect(
        long from, List<ScanRow> scanned, long after, int limit, DateTimeOffset now, List<TelephonyInstruction> instructions, ref DateTimeOffset oldestPending)
    {
        var redeliverBefore = now - options.Value.RedeliverAfter;
        var rows = scanned.Where(r => r.Seq is not null).ToList();
        Advance(from, rows, scanned[0], now);
        var filled = Filled(from, rows);
        foreach (var row in rows.Where(r => !r.Acknowledged))
        {
            if (row.CreatedAt < oldestPending)
            {
                oldestPending = row.CreatedAt.Value;
            }

            var seq = row.Seq!.Value;
            if (instructions.Count < limit && (seq > after || row.CreatedAt <= redeliverBefore || filled.Contains(seq)))
            {
                instructions.Add(row.ToInstruction());
            }
            else
            {
                // Not in this answer (its limit is reached): still owed to the next one.
                filled.Remove(seq);
            }
        }

        lock (_mark)
        {
            _holes.ExceptWith(filled);
        }

        return rows;
    }

    // Seqs a scan of this node found without a row while a later seq had one: a statement still in flight
    // (or rolled back). An answer's lastSeq may have passed them, and the platform polls on from there, so
    // once such a seq has a row it is delivered whatever `after` says (docs/decisions/0034); before, it
    // waited for redelivery (Telephony:RedeliverAfter). Kept until delivered or passed by the mark.
    private readonly SortedSet<long> _holes = [];

    /// <summary>How many seqs without a row a node remembers at most; a seq beyond it is delivered by redelivery.</summary>
    internal const int HolesKept = 4096;

    /// <summary>A longer run of seqs without a row is a rolled-back batch or rows deleted, not statements in flight.</summary>
    internal const int HoleLongest = 256;

    // The seqs of `rows` that were holes and are not acknowledged (forgotten once delivered; acknowledged
    // ones at once); the seqs `rows` skip become holes. Two answers at once may both deliver one: the
    // platform carries out each seq once (docs/telephony.md).
    private HashSet<long> Filled(long from, List<ScanRow> rows)
    {
        lock (_mark)
        {
            var filled = new HashSet<long>();
            var expected = from;
            foreach (var row in rows)
            {
                var seq = row.Seq!.Value;
                if (_holes.Contains(seq))
                {
                    if (row.Acknowledged)
                    {
                        _holes.Remove(seq);
                    }
                    else
                    {
                        filled.Add(seq);
                    }
                }

                if (seq > expected && seq - expected <= HoleLongest)
                {
                    for (var missing = expected; missing < seq && _holes.Count < HolesKept; missing++)
                    {
                        _holes.Add(missing);
                    }
                }

                expected = Math.Max(expected, seq + 1);
            }

            // Below the mark a seq has a row acknowledged or never will have one.
            while (_holes.Count > 0 && _holes.Min < _low)
            {
                _holes.Remove(_holes.Min);
            }

            return filled;
        }
    }

    private InstructionBatch Batch(
        long after, List<TelephonyInstruction> instructions, bool complete, DateTimeOffset oldestPending, Generation pulsed, Seen seen, long startedAt)
    {
        var lastSeq = instructions.Count == 0 ? after : Math.Max(after, instructions.Max(i => i.Seq));
        if (complete)
        {
            // Every unacknowledged instruction above lastSeq was read, and each one read comes due for
            // redelivery RedeliverAfter after it was stored.
            var dueAt = oldestPending == DateTimeOffset.MaxValue ? DateTimeOffset.MaxValue : oldestPending + options.Value.RedeliverAfter;
            Remember(new Quiet(lastSeq, dueAt, pulsed, seen, startedAt));
        }

        return new InstructionBatch(instructions, lastSeq);
    }

    // A woken poll's answer from what the write that woke it read (docs/decisions/0031), processed as a read's
    // one statement; null when that scan was not complete (ScanChunk rows) or a pulse has come since the one
    // that handed it (the poll woke late, and the rows may lack what that pulse announced): the poll reads.
    private InstructionBatch? Answer(Handed handed, long after, int limit)
    {
        if (handed.Scanned.Count(r => r.Seq is not null) >= ScanChunk || handed.Pulsed.Done.Task.IsCompleted)
        {
            return null;
        }

        var instructions = new List<TelephonyInstruction>();
        var oldestPending = DateTimeOffset.MaxValue;
        Collect(handed.From, handed.Scanned, after, limit, clock.GetUtcNow(), instructions, ref oldestPending);
        return Batch(after, instructions, instructions.Count < limit, oldestPending, handed.Pulsed, SeenBy(handed.Scanned), handed.StartedAt);
    }

    private long _ridden;
    private long _handedOn;

    /// <summary>How many polls answered from a rider's rows instead of reading. For tests.</summary>
    internal long Ridden => Interlocked.Read(ref _ridden);

    /// <summary>How many of this node's pulses handed a rider's rows to the polls they woke. For tests.</summary>
    internal long HandedOn => Interlocked.Read(ref _handedOn);

    /// <summary>
    /// The poll's read for a write to carry while a long poll of this node waits (docs/decisions/0031): the
    /// write runs <see cref="Rider.After"/> in its own transaction, reads the scan after its own results
    /// (<see cref="Rider.ReadAsync"/>) and passes the rider to <see cref="Pulse(SignalCarrier?, Rider?)"/> after its commit.
    /// When no poll waits it rides nothing and adds no statement.
    /// </summary>
    public Rider Ride()
    {
        if (!PollWaiting || PulsesFast)
        {
            return Rider.Nothing;
        }

        // One write rides each generation: only the rider whose own pulse ends the generation it took hands
        // its rows on, so a second write scanning meanwhile would scan for nothing (at a few hundred writes a
        // second nearly every write found a poll waiting, and each scanned the outbox from the mark).
        var generation = Volatile.Read(ref _next);
        return ReferenceEquals(Interlocked.Exchange(ref _riddenOn, generation), generation)
            ? Rider.Nothing
            : new Rider(generation, LowWaterMark, Stopwatch.GetTimestamp());
    }

    private Generation? _riddenOn;

    // The last pulses' times, a ring: at a few hundred writes a second the polls' reads are shared by many
    // instructions anyway, and a scan inside the writes' transactions cost sustained-200 its p99 (0031).
    private const int PulsesCounted = 32;
    private readonly long[] _pulsedAt = new long[PulsesCounted];
    private long _pulses;

    private void CountPulse()
    {
        var n = Interlocked.Increment(ref _pulses);
        Volatile.Write(ref _pulsedAt[n % PulsesCounted], Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Whether this node's last <see cref="PulsesCounted"/> pulses came faster than
    /// <see cref="TelephonyOptions.RideBelowPulsesPerSecond"/>: then no write rides.
    /// </summary>
    internal bool PulsesFast
    {
        get
        {
            var limit = options.Value.RideBelowPulsesPerSecond;
            if (limit <= 0)
            {
                return true;
            }

            // The oldest of the ring; 0 until it has filled once.
            var oldest = Volatile.Read(ref _pulsedAt[(Interlocked.Read(ref _pulses) + 1) % PulsesCounted]);
            return oldest != 0 && Stopwatch.GetElapsedTime(oldest) < TimeSpan.FromSeconds((double)PulsesCounted / limit);
        }
    }

    /// <summary>Whether a long poll of this node waits for a pulse now.</summary>
    internal bool PollWaiting => Volatile.Read(ref _waitingPolls) > 0;

    /// <summary>One write's ride: the poll's scan, last in the write's transaction (before its notification, if any).</summary>
    public sealed class Rider
    {
        internal static readonly Rider Nothing = new(null, 0, 0);

        // Taken before the scan's statement runs: the pulse that ends it is the first after the scan began.
        private readonly Generation? _generation;
        private readonly long _from;
        private readonly long _startedAt;
        private List<ScanRow>? _scanned;

        internal Rider(Generation? generation, long from, long startedAt)
        {
            _generation = generation;
            _from = from;
            _startedAt = startedAt;
        }

        /// <summary>Whether the write carries the scan at all.</summary>
        public bool Rides => _generation is not null;

        /// <summary><paramref name="sql"/>, followed by the poll's scan when a poll waits.</summary>
        public string After(string sql) => Rides ? sql + ";\n" + RiderSql : sql;

        /// <summary>Adds the parameters the scan names.</summary>
        public DynamicParameters AddTo(DynamicParameters args)
        {
            if (Rides)
            {
                args.Add("rider_from", _from);
            }

            return args;
        }

        /// <summary>Reads the scan's result, the next of <paramref name="results"/> after the write's own.</summary>
        public async Task ReadAsync(SqlMapper.GridReader results)
        {
            if (Rides)
            {
                _scanned = (await results.ReadAsync<ScanRow>()).ToList();
            }
        }

        /// <summary>Reads the scan's result, the result after the one <paramref name="results"/> stands on.</summary>
        public async Task ReadAsync(System.Data.Common.DbDataReader results, CancellationToken ct)
        {
            if (!Rides || !await results.NextResultAsync(ct))
            {
                return;
            }

            var parse = results.GetRowParser<ScanRow>();
            var scanned = new List<ScanRow>();
            while (await results.ReadAsync(ct))
            {
                scanned.Add(parse(results));
            }

            _scanned = scanned;
        }

        // The rows for the pulse that ended `ended`, when that is the generation taken before the scan.
        internal Handed? Taken(Generation ended) =>
            _scanned is { Count: > 0 } scanned && ReferenceEquals(ended, _generation) ? new Handed(_from, scanned, ended, _startedAt) : null;
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

    internal sealed record ScanRow(
        long SnapshotXmin, long SnapshotXmax, string Snapshot, long? MaxSeq, long? Seq, bool Acknowledged, string? PlatformCallId, string? Kind,
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
