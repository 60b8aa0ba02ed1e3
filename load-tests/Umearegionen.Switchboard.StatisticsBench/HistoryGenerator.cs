using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Umearegionen.Switchboard.StatisticsBench;

/// <summary>
/// Writes a year of ended calls with their events into a scratch database in bulk, then makes their
/// statistics facts set-based and the rollups with the service's own statistics_rebuild_rollup().
/// </summary>
/// <remarks>
/// Where the time went before (issue 28: 1,000,000 calls in 1,238 s, five million no longer finished):
/// every row went into tables with all their indexes and foreign keys, each maintained and checked
/// row by row (random UUIDs in the primary keys; call_slice_waits' 6-column key took 93 MB of WAL for
/// the 380,000 rows of 100,000 calls), the events were four more passes over the calls, the facts were updated again for bounce-backs and
/// rewritten by CLUSTER, and every row was written once more when its hint bits were set by the
/// first read and again by VACUUM. Now:
/// <list type="bullet">
/// <item>the indexes and foreign keys of the tables filled here are set aside (their definitions read
/// from the catalog) and made again after the load, sorted, instead of row by row;</item>
/// <item>calls and events are generated here (<see cref="HistoryPlan"/>) and streamed with binary COPY,
/// each table on its own connection at once, into the table truncated in the same transaction with
/// FREEZE: written once, already frozen and visible (no hint-bit writes, nothing left to vacuum);
/// session_replication_role = replica keeps the routing triggers out of the bulk load;</item>
/// <item>the facts, bounce-backs included, are one query (the same columns as call_facts_source, its
/// per-call look-ups made hash joins) copied out in the order the service would have written them
/// and back in with COPY FREEZE;</item>
/// <item>the rollups are what the service makes of the facts: statistics_rebuild_rollup(), with
/// enough work_mem to aggregate in memory and no index to maintain while it inserts;</item>
/// <item>independent steps run at once on separate connections (indexes of one table while the next
/// is filled).</item>
/// </list>
/// <c>--verify-facts</c> checks the facts against statistics_backfill_facts() row for row, and
/// <c>--verify</c> the rollups against the facts.
/// </remarks>
public static class HistoryGenerator
{
    /// <summary>The tables filled in bulk: their indexes and the foreign keys that touch them are set aside during the load.</summary>
    private static readonly string[] BulkTables =
    [
        "calls", "call_events", "call_facts",
        "call_daily", "call_daily_waits", "operator_daily", "call_slices", "call_slice_waits", "call_slice_waits_monthly",
    ];

    private static readonly string[] RollupTables = BulkTables[3..];

    public static async Task GenerateAsync(NpgsqlDataSource dataSource, int calls, int year)
    {
        var operators = new List<Guid>();
        var municipalityOf = new Dictionary<string, string>(StringComparer.Ordinal);
        await StepAsync(dataSource, "operators (40 accounts)", async conn =>
        {
            await using (var insert = new NpgsqlCommand("""
                insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
                select gen_random_uuid(), 'bench-op-' || g, 'Operatör ' || g, 'x', 'operator', '2403', now()
                from generate_series(1, 40) g
                """, conn))
            {
                await insert.ExecuteNonQueryAsync();
            }

            await using (var read = new NpgsqlCommand("select id from accounts where username like 'bench-op-%' order by username", conn))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) operators.Add(reader.GetGuid(0));
            }

            await using (var read = new NpgsqlCommand("select number, municipality_code from dialled_numbers", conn))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) municipalityOf[reader.GetString(0)] = reader.GetString(1);
            }
        });

        var aside = new List<SetAside>();
        await StepAsync(dataSource, "indexes and foreign keys set aside", async conn => aside.AddRange(await SetAsideAsync(conn)));

        var plan = new HistoryPlan(calls, year, operators, municipalityOf);
        var events = 0L;
        await StepAsync(dataSource, $"{calls:N0} calls and their events (binary COPY FREEZE), analyze", async (callsConn, eventsConn) =>
            events = await CopyCallsAndEventsAsync(callsConn, eventsConn, plan));
        Console.WriteLine($"    ({events:N0} events)");

        // A primary key waits for the reads of its table to end (it takes the table alone for a moment), so
        // each table's constraints come after every index that can be built beside the step reading it.
        await Task.WhenAll(
            StepAsync(dataSource, "facts and bounce-backs (set-based, COPY FREEZE)", CopyFactsAsync),
            StepAsync(dataSource, "indexes of calls and call_events", conn => RestoreAsync(conn, aside, ["calls", "call_events"])));

        await Task.WhenAll(
            StepAsync(dataSource, "rollups: statistics_rebuild_rollup()", conn => RunAsync(conn, """
                set work_mem = '512MB';
                select statistics_rebuild_rollup();
                """)),
            StepAsync(dataSource, "indexes of call_facts, foreign keys (checked)", async conn =>
            {
                await RestoreAsync(conn, aside, ["call_facts"], constraints: false);
                await RestoreForeignKeysAsync(conn, aside);
            }));

        await StepAsync(dataSource, "call_facts' primary key, indexes of the rollups", async conn =>
        {
            await RestoreAsync(conn, aside, ["call_facts"], indexes: false);
            await RestoreAsync(conn, aside, RollupTables);
        });
        await StepAsync(dataSource, "vacuum analyze the facts, the rollups and the operators", conn =>
            RunAsync(conn, $"vacuum analyze accounts, {string.Join(", ", BulkTables[2..])}"));
    }

    /// <summary>
    /// An index, a primary key or unique constraint, or a foreign key set aside: how to make it again (for a
    /// constraint, its index and then the constraint on it, one statement a line).
    /// </summary>
    private sealed record SetAside(string Table, string Kind, string Restore);

    /// <summary>
    /// Drops the foreign keys from or to the bulk tables, then their primary keys and unique constraints,
    /// then their other indexes, and returns the statements that make each again (read from the catalog, so
    /// whatever a migration adds is made again too). An exclusion or deferrable constraint would not be
    /// made again as it was, so it stops the generation.
    /// </summary>
    private static async Task<List<SetAside>> SetAsideAsync(NpgsqlConnection conn)
    {
        var found = new List<(SetAside Item, string Drop)>();
        await using (var command = new NpgsqlCommand("""
            select c.conrelid::regclass::text, 'foreign key',
                   format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
                   format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname)
            from pg_constraint c
            where c.contype = 'f' and (c.conrelid = any ($1::regclass[]) or c.confrelid = any ($1::regclass[]))
            union all
            select c.conrelid::regclass::text, case when c.contype = 'x' or c.condeferrable then 'unsupported ' || c.conname else 'constraint' end,
                   pg_get_indexdef(c.conindid) || E'\n' || format('alter table %s add constraint %I %s using index %I', c.conrelid::regclass, c.conname,
                                                                 case c.contype when 'p' then 'primary key' else 'unique' end, c.conname),
                   format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname)
            from pg_constraint c
            where c.contype in ('p', 'u', 'x') and c.conrelid = any ($1::regclass[])
            union all
            select i.indrelid::regclass::text, 'index', pg_get_indexdef(i.indexrelid), format('drop index %s', i.indexrelid::regclass)
            from pg_index i
            where i.indrelid = any ($1::regclass[])
              and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u', 'x'))
            """, conn))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = BulkTables });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found.Add((new SetAside(reader.GetString(0), reader.GetString(1), reader.GetString(2)), reader.GetString(3)));
            }
        }

        if (found.FirstOrDefault(f => f.Item.Kind.StartsWith("unsupported", StringComparison.Ordinal)) is { Item: not null } unsupported)
        {
            throw new InvalidOperationException($"{unsupported.Item.Kind[12..]} on {unsupported.Item.Table} is an exclusion or deferrable constraint: make it again in SetAsideAsync first.");
        }

        foreach (var kind in new[] { "foreign key", "constraint", "index" })
        {
            foreach (var (_, drop) in found.Where(f => f.Item.Kind == kind))
            {
                await RunAsync(conn, drop);
            }
        }

        return found.Select(f => f.Item).ToList();
    }

    /// <summary>
    /// Makes again what was set aside on the given tables: first every index (a share lock: the tables can
    /// still be read meanwhile), then the primary keys and unique constraints on their indexes.
    /// </summary>
    private static async Task RestoreAsync(NpgsqlConnection conn, List<SetAside> aside, string[] tables, bool indexes = true, bool constraints = true)
    {
        await RunAsync(conn, "set maintenance_work_mem = '512MB'");
        var mine = aside.Where(a => tables.Contains(a.Table) && (a.Kind is "constraint" or "index")).ToList();
        foreach (var item in mine.Where(_ => indexes))
        {
            await RunAsync(conn, item.Restore.Split('\n')[0]);
        }

        foreach (var item in mine.Where(a => constraints && a.Kind == "constraint"))
        {
            await RunAsync(conn, item.Restore.Split('\n')[1]);
        }
    }

    /// <summary>Makes every foreign key again, each checked against the rows (the keys they reference must be back).</summary>
    private static async Task RestoreForeignKeysAsync(NpgsqlConnection conn, List<SetAside> aside)
    {
        foreach (var item in aside.Where(a => a.Kind == "foreign key"))
        {
            await RunAsync(conn, item.Restore);
        }
    }

    /// <summary>
    /// Streams the plan's calls and their events into calls and call_events, each on its own connection
    /// in a transaction that truncates the table first (so COPY may freeze the rows); returns the events written.
    /// </summary>
    private static async Task<long> CopyCallsAndEventsAsync(NpgsqlConnection callsConn, NpgsqlConnection eventsConn, HistoryPlan plan)
    {
        await using var callsTx = await callsConn.BeginTransactionAsync();
        await using var eventsTx = await eventsConn.BeginTransactionAsync();
        await RunAsync(callsConn, "set session_replication_role = replica; truncate calls");
        await RunAsync(eventsConn, "set session_replication_role = replica; truncate call_events");
        long eventId = 0;
        await using (var callsCopy = await callsConn.BeginBinaryImportAsync("""
            copy calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic, priority, state,
                        queued_at, operator_id, answered_at, completed_at, caller_left_at, outcome, wrap_up_category)
            from stdin (format binary, freeze)
            """))
        await using (var eventsCopy = await eventsConn.BeginBinaryImportAsync("""
            copy call_events (id, call_id, type, platform_event_id, occurred_at, actor_id, data) from stdin (format binary, freeze)
            """))
        {
            foreach (var call in plan.Calls())
            {
                await callsCopy.StartRowAsync();
                await callsCopy.WriteAsync(call.Id, NpgsqlDbType.Uuid);
                await callsCopy.WriteAsync(call.PlatformCallId, NpgsqlDbType.Text);
                await callsCopy.WriteAsync(call.CallerNumber, NpgsqlDbType.Text);
                await callsCopy.WriteAsync(call.DialledNumber, NpgsqlDbType.Text);
                await callsCopy.WriteAsync(call.MunicipalityCode, NpgsqlDbType.Text);
                await WriteAsync(callsCopy, call.Topic, NpgsqlDbType.Text);
                await callsCopy.WriteAsync(0, NpgsqlDbType.Integer);
                await callsCopy.WriteAsync(call.State, NpgsqlDbType.Text);
                await callsCopy.WriteAsync(call.QueuedAt, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(callsCopy, call.OperatorId, NpgsqlDbType.Uuid);
                await WriteNullableAsync(callsCopy, call.AnsweredAt, NpgsqlDbType.TimestampTz);
                await callsCopy.WriteAsync(call.CompletedAt, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(callsCopy, call.CallerLeftAt, NpgsqlDbType.TimestampTz);
                await callsCopy.WriteAsync(call.Outcome, NpgsqlDbType.Text);
                await WriteAsync(callsCopy, call.WrapUpCategory, NpgsqlDbType.Text);
                foreach (var e in call.Events())
                {
                    await eventsCopy.StartRowAsync();
                    await eventsCopy.WriteAsync(++eventId, NpgsqlDbType.Bigint);
                    await eventsCopy.WriteAsync(call.Id, NpgsqlDbType.Uuid);
                    await eventsCopy.WriteAsync(e.Type, NpgsqlDbType.Text);
                    await WriteAsync(eventsCopy, e.PlatformEventId, NpgsqlDbType.Text);
                    await eventsCopy.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz);
                    await eventsCopy.WriteAsync(e.ActorId, NpgsqlDbType.Text);
                    await WriteAsync(eventsCopy, e.Data, NpgsqlDbType.Jsonb);
                }
            }

            // Both streams end before either commits, so the two tables are there together or not at all
            // (a failure below leaves the database to be generated again: run without --reuse).
            await Task.WhenAll(callsCopy.CompleteAsync().AsTask(), eventsCopy.CompleteAsync().AsTask());
        }

        // The identity goes on after the copied ids, as it would have after the service's inserts.
        await RunAsync(eventsConn, $"select setval(pg_get_serial_sequence('call_events', 'id'), {Math.Max(eventId, 1)}, {(eventId > 0 ? "true" : "false")})");
        await Task.WhenAll(callsTx.CommitAsync(), eventsTx.CommitAsync());

        // Statistics before anything reads them (the facts' joins are planned from them): a sample, seconds.
        await Task.WhenAll(RunAsync(callsConn, "analyze calls"), RunAsync(eventsConn, "analyze call_events"));
        return eventId;
    }

    private static async Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            await copy.WriteNullAsync();
        }
        else
        {
            await copy.WriteAsync(value, type);
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            await copy.WriteAsync(v, type);
        }
        else
        {
            await copy.WriteNullAsync();
        }
    }

    /// <summary>
    /// The facts query's rows copied out (binary, as they are) on one connection and into call_facts,
    /// truncated in the same transaction, on the other, so they are written once and frozen. In the
    /// service facts are written as calls end; ordered by day and municipality they lie on disk as
    /// CLUSTER on call_facts_date left them before.
    /// </summary>
    private static async Task CopyFactsAsync(NpgsqlConnection source, NpgsqlConnection target)
    {
        await RunAsync(source, "set work_mem = '256MB'");
        await using var tx = await target.BeginTransactionAsync();
        await RunAsync(target, "set session_replication_role = replica; truncate call_facts");
        await using (var reading = await source.BeginRawBinaryCopyAsync($"copy ({FactsSql}) to stdout (format binary)"))
        await using (var writing = await target.BeginRawBinaryCopyAsync($"copy call_facts ({FactColumns}) from stdin (format binary, freeze)"))
        {
            await reading.CopyToAsync(writing);
        }

        await tx.CommitAsync();
    }

    private const string FactColumns = """
        call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at, local_date, local_hour,
        local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category, bounced_back
        """;

    /// <summary>
    /// call_facts_source's columns for every ended call (Functions/call_facts_source.sql), with its per-call look-ups made joins: the
    /// last completed event naming a unit (transfers), the call's callback and unit message, and the
    /// distinct closed units it was refused (call_closed_units); and statistics_backfill_facts()'s
    /// bounce-backs: a transferred call is marked when, for some call of the same caller, it is the
    /// latest other transferred call that ended within the window before that call came in, a withheld
    /// number ("anonymous") left out (one hash join of the calls with the transferred calls on the
    /// caller's number, not a look-up per call).
    /// Columns in <see cref="FactColumns"/>' order.
    /// </summary>
    internal const string FactsSql = """
        select c.id as call_id, c.municipality_code, c.menu_topic, c.operator_id,
               case c.outcome when 'transferred' then t.unit_id when 'callback' then b.unit_id when 'message' then m.unit_id end,
               case c.outcome when 'transferred' then t.unit_name when 'callback' then b.unit_name when 'message' then m.unit_name end,
               c.queued_at, coalesce(c.completed_at, c.caller_left_at, c.queued_at),
               (c.queued_at at time zone 'Europe/Stockholm')::date as local_date,
               extract(hour from c.queued_at at time zone 'Europe/Stockholm')::smallint,
               extract(isodow from c.queued_at at time zone 'Europe/Stockholm')::smallint,
               coalesce(c.outcome, c.state), c.answered_at is not null,
               greatest(0, floor(extract(epoch from coalesce(c.answered_at, c.completed_at, c.caller_left_at, c.queued_at) - c.queued_at)))::int,
               case when c.answered_at is null then 0
                    else greatest(0, floor(extract(epoch from c.completed_at - c.answered_at)))::int end,
               coalesce(r.units, '{}'), c.wrap_up_category, bb.id is not null
        from calls c
        left join (
            select distinct on (call_id) call_id,
                   coalesce(data -> 'details' ->> 'id', data -> 'details' ->> 'number') as unit_id, data -> 'details' ->> 'name' as unit_name
            from call_events
            where type = 'completed' and data -> 'details' ->> 'kind' = 'unit'
            order by call_id, id desc
        ) t on t.call_id = c.id and c.outcome = 'transferred'
        left join callbacks b on b.call_id = c.id
        left join (
            select call_id, coalesce(recipient_id, recipient_name) as unit_id, recipient_name as unit_name
            from messages where recipient_kind = 'unit'
        ) m on m.call_id = c.id and c.outcome = 'message'
        left join (
            select call_id, array_agg(distinct data ->> 'unitId' order by data ->> 'unitId') as units
            from call_events
            where type = 'destination_closed' and data ->> 'unitId' is not null
            group by call_id
        ) r on r.call_id = c.id
        left join (
            select distinct p.transferred_id as id
            from (
                select distinct on (n.id) n.id, e.id as transferred_id
                from calls n
                join calls e on e.caller_number = n.caller_number and e.outcome = 'transferred' and e.id <> n.id
                cross join statistics_settings s
                where e.completed_at <= n.queued_at and e.completed_at >= n.queued_at - s.bounce_back_window
                  and n.caller_number not in ('', 'anonymous')
                order by n.id, e.completed_at desc
            ) p
        ) bb on bb.id = c.id
        where c.state in ('completed', 'abandoned')
        order by local_date, c.municipality_code
        """;

    /// <summary>
    /// Checks the generated facts against what the service's own statistics_backfill_facts() makes of the
    /// same calls, row for row (in a transaction rolled back); returns the rows found on one side only.
    /// Minutes on five million calls: meant for a smaller --calls.
    /// </summary>
    public static async Task<(long OnlyGenerated, long OnlyService)> VerifyFactsAsync(NpgsqlDataSource dataSource)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            create temporary table generated_facts on commit drop as select * from call_facts;
            alter table call_facts disable trigger call_facts_rollup;
            delete from call_facts;
            select statistics_backfill_facts();
            select (select count(*) from (select * from generated_facts except all select * from call_facts) x),
                   (select count(*) from (select * from call_facts except all select * from generated_facts) y);
            """, conn, tx) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            if (reader.FieldCount == 2 && await reader.ReadAsync())
            {
                var result = (reader.GetInt64(0), reader.GetInt64(1));
                await reader.CloseAsync();
                await tx.RollbackAsync();
                return result;
            }
        }
        while (await reader.NextResultAsync());

        throw new InvalidOperationException("the facts check returned no counts");
    }

    private static async Task RunAsync(NpgsqlConnection conn, string sql)
    {
        await using var command = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs one step on its own connection(s) and prints its time beside what it cost: the CPU of the
    /// server processes that served it (read from /proc when the server is on this machine; parallel
    /// workers not included) and the machine's load average when it ended, as other work shares the cores.
    /// </summary>
    private static Task StepAsync(NpgsqlDataSource dataSource, string what, Func<NpgsqlConnection, Task> work) =>
        StepAsync(dataSource, what, 1, conns => work(conns[0]));

    private static Task StepAsync(NpgsqlDataSource dataSource, string what, Func<NpgsqlConnection, NpgsqlConnection, Task> work) =>
        StepAsync(dataSource, what, 2, conns => work(conns[0], conns[1]));

    private static async Task StepAsync(NpgsqlDataSource dataSource, string what, int connections, Func<NpgsqlConnection[], Task> work)
    {
        var watch = Stopwatch.StartNew();
        var conns = new NpgsqlConnection[connections];
        try
        {
            for (var i = 0; i < connections; i++)
            {
                conns[i] = await dataSource.OpenConnectionAsync();
            }

            var before = conns.Select(c => StepCost.ServerCpuSeconds(c.ProcessID)).ToArray();
            await work(conns);
            var after = conns.Select(c => StepCost.ServerCpuSeconds(c.ProcessID)).ToArray();
            Console.WriteLine(StepCost.Line(what, watch.Elapsed, StepCost.Spent(before, after), StepCost.LoadAverage()));
        }
        finally
        {
            foreach (var conn in conns.Where(c => c is not null))
            {
                await conn.DisposeAsync();
            }
        }
    }

}
