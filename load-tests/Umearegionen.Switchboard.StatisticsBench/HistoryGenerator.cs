using System.Diagnostics;
using Npgsql;

namespace Umearegionen.Switchboard.StatisticsBench;

/// <summary>
/// Writes a year of ended calls with their events into a scratch database in bulk (generate_series),
/// then builds the statistics facts and rollup the way a backfill does. Triggers are off during
/// the bulk load only; the facts come from the same view the per-call trigger reads.
/// </summary>
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
        await StepAsync(dataSource, "facts from the calls (backfill)", "select statistics_backfill_facts()");
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

    private static async Task StepAsync(NpgsqlDataSource dataSource, string what, string sql)
    {
        var watch = Stopwatch.StartNew();
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        Console.WriteLine($"  {what,-55} {watch.Elapsed.TotalSeconds,8:F1} s");
    }
}
