using System.Diagnostics;
using Npgsql;

namespace Umearegionen.Switchboard.StatisticsBench;

/// <summary>
/// Writes a year of ended calls with their events into a scratch database in bulk (generate_series),
/// then makes their statistics facts and rollups set-based. Triggers are off during the bulk load only.
/// </summary>
/// <remarks>
/// The facts are what the service's flush makes of each ended call (call_facts_source, via
/// statistics_make_facts) and what statistics_backfill_facts() makes of a history, but computed in a
/// few passes over the tables rather than call by call: call_facts_source looks up each call's events
/// twice through the index (its transfer's unit and call_closed_units) and the backfill's bounce-back
/// check looks up each call's caller. On five million calls and 14.6 million events that is some
/// twenty million random page reads; with the database larger than the machine's page cache the step
/// no longer finished (19 minutes for 4 % of the facts, on 2026-12-05; 186 s on 2026-11-23, when it fitted).
/// Here the events are read once, sequentially, and hash-joined. <c>--verify-facts</c> checks the result
/// against statistics_backfill_facts() row for row.
/// </remarks>
public static class HistoryGenerator
{
    public static async Task GenerateAsync(NpgsqlDataSource dataSource, int calls, int year)
    {
        await StepAsync(dataSource, "operators (40 accounts)", """
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            select gen_random_uuid(), 'bench-op-' || g, 'Operatör ' || g, 'x', 'operator', '2403', now()
            from generate_series(1, 40) g
            """);
        await StepAsync(dataSource, "disable statistics triggers for the bulk load", """
            alter table calls disable trigger calls_to_facts;
            alter table calls disable trigger calls_bounce_back;
            alter table call_facts disable trigger call_facts_rollup;
            """);
        // The six municipalities by population (Umeå about 80 %), 07:00–18:00 local on every day of the year,
        // 8 % abandoned, the rest answered within 0–90 s and handled for 30–400 s.
        await StepAsync(dataSource, $"{calls:N0} calls", $$"""
            create temporary table bench_ops as select row_number() over () as n, id from accounts where username like 'bench-op-%';
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic, priority, state,
                               queued_at, operator_id, answered_at, completed_at, caller_left_at, outcome, wrap_up_category)
            select gen_random_uuid(), 'bench-' || g, '+4670' || (1000000 + (r1 * 8999999)::int), d.number, d.municipality_code,
                   (array['bygglov','skola','socialtjanst','vatten','renhallning','gator','fritid',null])[1 + (r2 * 8)::int % 8],
                   0,
                   case when outcome = 'abandoned' then 'abandoned' else 'completed' end,
                   q, case when outcome <> 'abandoned' then o.id end,
                   case when outcome <> 'abandoned' then q + make_interval(secs => (r3 * r3 * 90)::int) end,
                   q + make_interval(secs => (r3 * r3 * 90)::int + case when outcome = 'abandoned' then 0 else 30 + (r4 * 370)::int end),
                   case when outcome = 'abandoned' then q + make_interval(secs => (r3 * r3 * 90)::int) end,
                   outcome, case when outcome <> 'abandoned' then 'bench' end
            from (
                select g, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5,
                       (make_timestamp({{year}}, 1, 1, 7, 0, 0) + make_interval(days => g % 365, secs => (random() * 39600)::int))
                           at time zone 'Europe/Stockholm' as q,
                       case when random() < 0.08 then 'abandoned'
                            else (array['answered','transferred','transferred','transferred','answered','callback','message','fault_report'])[1 + (g % 8)] end as outcome
                from generate_series(1, {{calls}}) g
            ) x
            join dialled_numbers d on d.number =
                case when x.r5 < 0.81 then '+4690161000' when x.r5 < 0.865 then '+4693514000' when x.r5 < 0.909 then '+4693014000'
                     when x.r5 < 0.95 then '+4693414000' when x.r5 < 0.983 then '+4693314000' else '+4693214000' end
            join bench_ops o on o.n = 1 + (x.g % 40)
            """);
        await StepAsync(dataSource, "call events (received, accepted, completed or ended)", """
            insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
            select id, 'received', 'received', queued_at, 'telephony', jsonb_build_object('dialledNumber', dialled_number)
            from calls where platform_call_id like 'bench-%';
            insert into call_events (call_id, type, occurred_at, actor_id)
            select id, 'accepted', answered_at, operator_id::text from calls where platform_call_id like 'bench-%' and answered_at is not null;
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'completed', completed_at, operator_id::text,
                   jsonb_build_object('outcome', outcome, 'wrapUpCategory', 'bench', 'details',
                       case when outcome = 'transferred' then jsonb_build_object('kind', 'unit', 'id', 'unit-' || (abs(hashtext(id::text)) % 60),
                                                                             'name', 'Enhet ' || (abs(hashtext(id::text)) % 60)) end)
            from calls where platform_call_id like 'bench-%' and state = 'completed';
            insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id)
            select id, 'platform_ended', 'ended', caller_left_at, 'telephony' from calls where platform_call_id like 'bench-%' and state = 'abandoned';
            """);
        await StepAsync(dataSource, "facts from the calls (set-based)", FactsSql);
        await StepAsync(dataSource, "bounce-backs (set-based)", BounceBacksSql);
        await StepAsync(dataSource, "daily rollup from the facts", "select statistics_rebuild_rollup()");
        // In service facts are written as calls end, so a month lies together on disk; the bulk
        // load above wrote them in random day order. Put them back in the order they would have.
        await StepAsync(dataSource, "facts in the order calls would have ended", "cluster call_facts using call_facts_date");
        await StepAsync(dataSource, "enable triggers", """
            alter table calls enable trigger calls_to_facts;
            alter table calls enable trigger calls_bounce_back;
            alter table call_facts enable trigger call_facts_rollup;
            """);
        await StepAsync(dataSource, "vacuum analyze", "vacuum analyze");
    }

    /// <summary>
    /// call_facts_source's columns for every ended call (Functions/call_facts_source.sql), with its per-call look-ups made joins: the
    /// last completed event naming a unit (transfers), the call's callback and unit message, and the
    /// distinct closed units it was refused (call_closed_units). A scratch database has no facts yet.
    /// </summary>
    internal const string FactsSql = """
        set work_mem = '256MB';
        insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                                local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds,
                                closed_unit_ids, wrap_up_category)
        select c.id, c.municipality_code, c.menu_topic, c.operator_id,
               case c.outcome when 'transferred' then t.unit_id when 'callback' then b.unit_id when 'message' then m.unit_id end,
               case c.outcome when 'transferred' then t.unit_name when 'callback' then b.unit_name when 'message' then m.unit_name end,
               c.queued_at, coalesce(c.completed_at, c.caller_left_at, c.queued_at),
               (c.queued_at at time zone 'Europe/Stockholm')::date,
               extract(hour from c.queued_at at time zone 'Europe/Stockholm')::smallint,
               extract(isodow from c.queued_at at time zone 'Europe/Stockholm')::smallint,
               coalesce(c.outcome, c.state), c.answered_at is not null,
               greatest(0, floor(extract(epoch from coalesce(c.answered_at, c.completed_at, c.caller_left_at, c.queued_at) - c.queued_at)))::int,
               case when c.answered_at is null then 0
                    else greatest(0, floor(extract(epoch from c.completed_at - c.answered_at)))::int end,
               coalesce(r.units, '{}'), c.wrap_up_category
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
        where c.state in ('completed', 'abandoned');
        """;

    /// <summary>
    /// statistics_backfill_facts()'s bounce-backs: for every call, the caller's latest transferred call
    /// (another one) that ended within the window before it came in is marked; here as one hash join of
    /// the calls with the transferred calls on the caller's number, not a look-up per call.
    /// </summary>
    internal const string BounceBacksSql = """
        set work_mem = '256MB';
        update call_facts f set bounced_back = true
        from (
            select distinct p.transferred_id as id
            from (
                select distinct on (n.id) n.id, c.id as transferred_id
                from calls n
                join calls c on c.caller_number = n.caller_number and c.outcome = 'transferred' and c.id <> n.id
                cross join statistics_settings s
                where c.completed_at <= n.queued_at and c.completed_at >= n.queued_at - s.bounce_back_window
                order by n.id, c.completed_at desc
            ) p
        ) b
        where f.call_id = b.id and not f.bounced_back;
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

    private static async Task StepAsync(NpgsqlDataSource dataSource, string what, string sql)
    {
        var watch = Stopwatch.StartNew();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        Console.WriteLine($"  {what,-55} {watch.Elapsed.TotalSeconds,8:F1} s");
    }
}
