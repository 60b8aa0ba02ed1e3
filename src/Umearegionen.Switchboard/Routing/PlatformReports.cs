namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The platform's report of what it has done (<c>POST /api/telephony/report</c>, docs/telephony.md):
/// acknowledgements and events stored in one transaction, so a poll's worth of work costs one commit
/// (docs/call-cost.md, C2; docs/decisions/0018). Each event is recorded by <see cref="CallIntake"/>'s
/// statement, as the single-event endpoint records it, in the order reported; what follows each
/// (polls woken, operators told, dashboards changed) happens once the transaction has committed.
/// </summary>
public sealed class PlatformReports(
    NpgsqlDataSource dataSource, CallIntake intake, Instructions instructions, ClusterSignals signals, ILogger<PlatformReports> logger)
{
    /// <summary>How many times a report is tried when PostgreSQL chose it as a deadlock's victim.</summary>
    private const int Attempts = 3;

    public async Task<PlatformReportReceipt> StoreAsync(IReadOnlyList<long> acknowledge, IReadOnlyList<PlatformEvent> events, CancellationToken ct)
    {
        // Rows are locked in the order of their keys: two reports acknowledging the same instructions
        // (a redelivery) wait for each other rather than deadlock.
        var seqs = acknowledge.Distinct().Order().ToList();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The other nodes are told in the report's own transaction (docs/decisions/0025): what its
                // events change, and what this node had pending.
                using var carrier = signals.Carry();
                var (acknowledged, recorded) = await StoreOnceAsync(seqs, events, carrier, ct);
                foreach (var item in recorded)
                {
                    await intake.AfterCommitAsync(item, carrier);
                }

                return new PlatformReportReceipt(acknowledged, [.. events.Zip(recorded, Receipt)]);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < Attempts)
            {
                // Rolled back as a whole; every item is idempotent, so the report is stored again.
                RoutingLog.ReportRetried(logger, attempt, events.Count, seqs.Count);
            }
        }
    }

    private async Task<(int Acknowledged, List<CallIntake.RecordedEvent> Recorded)> StoreOnceAsync(
        List<long> seqs, IReadOnlyList<PlatformEvent> events, SignalCarrier carrier, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // An instruction that an event of this report answers (instructionSeq) is acknowledged in the
        // update that stores the event on it (docs/decisions/0026): one HOT update, not two. The others
        // first, as before; those whose event did not fit, after the events.
        var named = events.Where(e => e.InstructionSeq is not null).Select(e => e.InstructionSeq!.Value).ToHashSet();
        var first = seqs.Where(s => !named.Contains(s)).ToList();
        var left = seqs.Where(named.Contains).ToHashSet();
        var acknowledged = first.Count == 0 ? 0 : await instructions.AcknowledgeAsync(conn, tx, first, ct);
        var recorded = new CallIntake.RecordedEvent?[events.Count];
        var i = 0;
        while (i < events.Count)
        {
            var batch = Batch(events, i, left);
            if (batch.Count == 0)
            {
                // No instructionSeq: a row.
                recorded[i] = await RecordAsRowAsync(conn, tx, events[i], ct);
                i++;
                continue;
            }

            // Events that name their instruction go in one round trip, at most one statement per call
            // (docs/decisions/0035); those that did not fit follow, in order: no other event of their call
            // was in the batch, and one call's events change nothing another call's read.
            var (count, after) = await StoreBatchAsync(conn, tx, batch, left, recorded, ct);
            acknowledged += count;
            foreach (var (index, asRow) in after)
            {
                if (asRow)
                {
                    recorded[index] = await RecordAsRowAsync(conn, tx, events[index], ct);
                    continue;
                }

                // A transfer's `ended` that did not go with its `transferred`: on its own, as the next event.
                var seq = events[index].InstructionSeq!.Value;
                var alone = new CallIntake.OnInstructionItem(events[index], left.Contains(seq), null);
                var (aloneCount, notStored) = await StoreBatchAsync(conn, tx, [(index, alone)], left, recorded, ct);
                acknowledged += aloneCount;
                if (notStored.Count > 0)
                {
                    recorded[index] = await RecordAsRowAsync(conn, tx, events[index], ct);
                }
            }

            i = batch[^1].Index + (batch[^1].Item.Ended is null ? 1 : 2);
        }

        if (left.Count > 0)
        {
            acknowledged += await instructions.AcknowledgeAsync(conn, tx, [.. left.Order()], ct);
        }

        // Every event has its record: each step above fills the indexes it covers.
        var all = recorded.Select(r => r ?? throw new InvalidOperationException("An event of the report was not recorded.")).ToList();
        var own = all.Aggregate(Signal.None, (bits, item) => bits | intake.SignalsOf(item));
        if (carrier.Carries && (own | carrier.Taken) != Signal.None)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                carrier.Sql("@ownSignals"), carrier.AddTo(new DynamicParameters(new { ownSignals = (int)own })), tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        carrier.Committed(own);
        return (acknowledged, all);
    }

    // The events from `from` on that go in one batch: each names its instruction, and no two are of the same
    // call; a transfer's `ended` right after its `transferred` goes with it. The first of the report's events
    // naming an instruction that is still to be acknowledged acknowledges it, as one at a time would.
    private static List<(int Index, CallIntake.OnInstructionItem Item)> Batch(IReadOnlyList<PlatformEvent> events, int from, HashSet<long> left)
    {
        var batch = new List<(int, CallIntake.OnInstructionItem)>();
        var calls = new HashSet<string>(StringComparer.Ordinal);
        var claimed = new HashSet<long>();
        var i = from;
        while (i < events.Count && events[i].InstructionSeq is { } seq && calls.Add(events[i].PlatformCallId))
        {
            var ended = i + 1 < events.Count && EndsTransfer(events[i], events[i + 1]) ? events[i + 1] : null;
            batch.Add((i, new CallIntake.OnInstructionItem(events[i], left.Contains(seq) && claimed.Add(seq), ended)));
            i += ended is null ? 1 : 2;
        }

        return batch;
    }

    // Stores a batch on the instructions its events name and records what each stored; returns how many
    // instructions it acknowledged that were not before, and what is left to store, in the report's order:
    // an event that did not fit (as a row), and a transfer's `ended` that did not go with its `transferred`.
    private async Task<(int Acknowledged, List<(int Index, bool AsRow)> After)> StoreBatchAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, List<(int Index, CallIntake.OnInstructionItem Item)> batch, HashSet<long> left,
        CallIntake.RecordedEvent?[] recorded, CancellationToken ct)
    {
        var results = await intake.RecordOnInstructionsAsync(conn, tx, [.. batch.Select(b => b.Item)], ct);
        var acknowledged = 0;
        var after = new List<(int Index, bool AsRow)>();
        for (var b = 0; b < batch.Count; b++)
        {
            var (index, item) = batch[b];
            if (results[b] is not { } stored)
            {
                after.Add((index, true));
                if (item.Ended is not null)
                {
                    after.Add((index + 1, false));
                }

                continue;
            }

            recorded[index] = stored.Recorded;
            if (item.Acknowledge && left.Remove(item.Event.InstructionSeq!.Value) && stored.Fresh)
            {
                acknowledged++;
            }

            if (stored.Ended is { } endedToo)
            {
                recorded[index + 1] = endedToo;
            }
            else if (item.Ended is not null)
            {
                after.Add((index + 1, false));
            }
        }

        return (acknowledged, after);
    }

    private Task<CallIntake.RecordedEvent> RecordAsRowAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PlatformEvent e, CancellationToken ct) =>
        intake.RecordEventAsync(conn, tx, e.PlatformCallId, new CallEventReport(e.EventId, e.Type, e.OccurredAt), ct, e.InstructionSeq);

    private static bool EndsTransfer(PlatformEvent transferred, PlatformEvent next) =>
        transferred.Type == PlatformEventTypes.Transferred && next.Type == PlatformEventTypes.Ended
        && transferred.InstructionSeq is not null && next.InstructionSeq == transferred.InstructionSeq
        && next.PlatformCallId == transferred.PlatformCallId;

    private static ReportedEvent Receipt(PlatformEvent e, CallIntake.RecordedEvent recorded) => recorded.Receipt switch
    {
        null => new ReportedEvent(e.PlatformCallId, e.EventId, ReportedEventOutcomes.UnknownCall, null, null, false),
        { Recorded: true } r => new ReportedEvent(e.PlatformCallId, e.EventId, ReportedEventOutcomes.Recorded, r.CallId, r.State, true),
        var r => new ReportedEvent(e.PlatformCallId, e.EventId, ReportedEventOutcomes.AlreadyRecorded, r.CallId, r.State, false),
    };
}
