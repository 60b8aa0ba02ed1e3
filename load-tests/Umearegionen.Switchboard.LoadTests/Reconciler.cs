using Npgsql;
using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>Looks up every call the generator started, directly in the database.</summary>
public static class Reconciler
{
    /// <summary>Calls not yet ended (completed or abandoned); the drain waits for zero. Sampled every second of a run.</summary>
    public static async Task<long> OpenCallsAsync(string connectionString, CancellationToken ct)
    {
        // The three open states one by one, each through its partial index: "state not in (ended)"
        // read the whole day's calls every second (12 ms at 20,000 calls, on the database under test).
        const string Sql = """
            select (select count(*) from calls where state = 'queued')
                 + (select count(*) from calls where state = 'offered')
                 + (select count(*) from calls where state = 'connected')
            """;
        await using var conn = new NpgsqlConnection(connectionString);
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
            from calls c left join call_events e on e.call_id = c.id
            where c.platform_call_id not like 'demo-history-%'
            group by c.id, c.platform_call_id, c.state, c.outcome
            """;
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        long inconsistent = 0, notTerminal = 0, unexpected = 0, duplicateEvents = 0;
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

            if (state is not ("completed" or "abandoned")) notTerminal++;
            else if (HistoryCheck.Problem(state, outcome, events) is { } problem)
            {
                inconsistent++;
                if (examples.Count < 10) examples.Add($"{id}: {problem} [{string.Join(" → ", events)}]");
            }
        }

        var foundOnce = started.LongCount(id => rows.GetValueOrDefault(id) == 1);
        var missing = started.LongCount(id => !rows.ContainsKey(id));
        var duplicated = rows.Values.LongCount(n => n > 1);
        return (new Reconciliation(started.Count, foundOnce, missing, duplicated, inconsistent, unexpected, notTerminal, duplicateEvents), examples);
    }
}
