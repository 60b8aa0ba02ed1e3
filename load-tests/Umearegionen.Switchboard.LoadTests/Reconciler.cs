using Npgsql;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>Looks up every call the generator started, directly in the database.</summary>
public static class Reconciler
{
    /// <summary>Calls not yet ended (completed or abandoned); the drain waits for zero. Sampled every second of a run.</summary>
    public static async Task<long> OpenCallsAsync(string connectionString, CancellationToken ct)
    {
        // Where the service keeps the calls under way: the waiting ones in call_queue, the offered and
        // connected ones on their operator's row (docs/decisions/0016). "state not in (ended)" would read
        // the whole day's calls every second (12 ms at 20,000 calls, on the database under test), and no
        // index of calls names its state. The reconciliation afterwards reads every call's state.
        const string Sql = """
            select (select count(*) from call_queue)
                 + (select count(*) from operators where offered_call_id is not null)
                 + (select count(*) from operators where call_id is not null)
            """;
        // Read every second of the drain: a pooled connection returned with Npgsql's reset would send a
        // DISCARD ALL, a transaction of its own counted as the calls' (docs/call-cost.md, "Two nodes").
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Sql, conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public static async Task<(Reconciliation Result, IReadOnlyList<string> Examples)> ReconcileAsync(
        string connectionString, IReadOnlyCollection<string> started, CancellationToken ct)
    {
        const string Sql = """
            select c.platform_call_id, c.state, c.outcome,
                   array_agg(e.type order by e.id) filter (where e.id is not null) as events,
                   count(e.platform_event_id) - count(distinct e.platform_event_id) as duplicate_platform_events
            from calls c left join call_history_events e on e.call_id = c.id
            where c.platform_call_id not like 'demo-history-%'
            group by c.id, c.platform_call_id, c.state, c.outcome
            """;
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        long inconsistent = 0, notTerminal = 0, unexpected = 0, duplicateEvents = 0, twoOpen = 0, acceptedTwice = 0;
        var examples = new List<string>();
        var startedSet = started as IReadOnlySet<string> ?? started.ToHashSet(StringComparer.Ordinal);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Sql, conn) { CommandTimeout = 300 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            var state = reader.GetString(1);
            var outcome = reader.IsDBNull(2) ? null : reader.GetString(2);
            var events = reader.IsDBNull(3) ? [] : reader.GetFieldValue<string[]>(3);
            duplicateEvents += reader.GetInt64(4);
            rows[id] = rows.GetValueOrDefault(id) + 1;
            if (!startedSet.Contains(id))
            {
                unexpected++;
                continue;
            }

            var (open, twice) = HistoryCheck.OfferProblems(events);
            if (open)
            {
                twoOpen++;
                if (examples.Count < 10) examples.Add($"{id}: offered while an offer was open [{string.Join(" → ", events)}]");
            }

            if (twice) acceptedTwice++;
            if (state is not ("completed" or "abandoned")) notTerminal++;
            else if (HistoryCheck.Problem(state, outcome, events) is { } problem)
            {
                inconsistent++;
                if (examples.Count < 10) examples.Add($"{id}: {problem} [{string.Join(" → ", events)}]");
            }
        }

        await reader.DisposeAsync();
        var doubled = await DoubledInstructionsAsync(conn, examples, ct);
        var foundOnce = started.LongCount(id => rows.GetValueOrDefault(id) == 1);
        var missing = started.LongCount(id => !rows.ContainsKey(id));
        var duplicated = rows.Values.LongCount(n => n > 1);
        return (new Reconciliation(started.Count, foundOnce, missing, duplicated, inconsistent, unexpected, notTerminal, duplicateEvents,
            twoOpen, acceptedTwice, doubled), examples);
    }

    /// <summary>
    /// Calls with an instruction to the platform written twice for one cause: every offer writes one
    /// ring_operator with it (so rings = offers), every offer declined, timed out or withdrawn (the caller
    /// hung up while it rang) at most one stop_ringing,
    /// the accept one connect, the ending one transfer or end. Two nodes doing the same work would
    /// write more. Also calls with two offers accepted or two left open. The offers are the calls' history's:
    /// each `offered` event is one, ended by the call's next event among accepted, offer_declined,
    /// offer_timed_out, offer_withdrawn and platform_ended (the caller hung up while it rang); an
    /// `offered` followed by another, or by nothing, is open.
    /// </summary>
    private static async Task<long> DoubledInstructionsAsync(NpgsqlConnection conn, List<string> examples, CancellationToken ct)
    {
        const string Sql = """
            with i as (
                select call_id,
                       count(*) filter (where kind = 'ring_operator') as rings,
                       count(*) filter (where kind = 'stop_ringing') as stops,
                       count(*) filter (where kind = 'connect') as connects,
                       count(*) filter (where kind in ('transfer', 'end')) as endings
                from telephony_instructions group by call_id
            ), ev as (
                select call_id, type, lead(type) over (partition by call_id order by id) as next
                from call_history_events
                where type in ('offered', 'accepted', 'offer_declined', 'offer_timed_out', 'offer_withdrawn', 'platform_ended')
            ), o as (
                select call_id, count(*) as offers,
                       count(*) filter (where next in ('offer_declined', 'offer_timed_out', 'offer_withdrawn', 'platform_ended')) as missed,
                       count(*) filter (where next = 'accepted') as accepted,
                       count(*) filter (where next is null or next = 'offered') as open
                from ev where type = 'offered' group by call_id
            )
            select c.platform_call_id, coalesce(i.rings, 0) as rings, coalesce(o.offers, 0) as offers,
                   coalesce(i.stops, 0) as stops, coalesce(o.missed, 0) as missed, coalesce(i.connects, 0) as connects,
                   coalesce(i.endings, 0) as endings, coalesce(o.accepted, 0) as accepted, coalesce(o.open, 0) as open
            from calls c left join i on i.call_id = c.id left join o on o.call_id = c.id
            where c.platform_call_id not like 'demo-history-%'
              and (coalesce(i.rings, 0) <> coalesce(o.offers, 0) or coalesce(i.stops, 0) > coalesce(o.missed, 0)
                   or i.connects > 1 or i.endings > 1 or o.accepted > 1 or o.open > 1)
            """;
        await using var cmd = new NpgsqlCommand(Sql, conn) { CommandTimeout = 300 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        long doubled = 0;
        while (await reader.ReadAsync(ct))
        {
            doubled++;
            if (examples.Count < 10)
            {
                examples.Add($"{reader.GetString(0)}: instructions ring {reader.GetInt64(1)} for {reader.GetInt64(2)} offers, " +
                             $"stop ringing {reader.GetInt64(3)} for {reader.GetInt64(4)} missed, connect {reader.GetInt64(5)}, " +
                             $"transfer/end {reader.GetInt64(6)}; offers accepted {reader.GetInt64(7)}, open {reader.GetInt64(8)}");
            }
        }

        return doubled;
    }
}
