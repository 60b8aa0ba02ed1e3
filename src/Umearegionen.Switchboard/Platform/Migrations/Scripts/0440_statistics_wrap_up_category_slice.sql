-- Wrap-up categories as a slice (issue 26): `by=wrapUpCategory` in the statistics API. The operator
-- records a category when completing a call (calls.wrap_up_category); the fact now keeps it, and the
-- slice rollups (call_slices, call_slice_waits, call_slice_waits_monthly) get a fifth dimension,
-- 'wrapUpCategory', keyed by the category ('' for none: abandoned calls have none). The flush is
-- unchanged in shape: call_fact_slice_keys gives one more key per fact, so it writes one more row per
-- fact into each slice table (measured in docs/metrics.md, "How it is kept fast").

-- No flush may run while the facts and the new dimension's rows are filled in below.
select pg_advisory_xact_lock(7415001);

alter table call_slices drop constraint call_slices_dimension_check;
alter table call_slices add constraint call_slices_dimension_check
    check (dimension in ('unit', 'topic', 'operator', 'hour', 'wrapUpCategory'));

alter table call_facts add column wrap_up_category text;

create or replace view call_facts_source as
select c.id as call_id, c.municipality_code, c.menu_topic as topic, c.operator_id,
       case c.outcome when 'transferred' then t.unit_id when 'callback' then b.unit_id when 'message' then m.unit_id end as unit_id,
       case c.outcome when 'transferred' then t.unit_name when 'callback' then b.unit_name when 'message' then m.unit_name end as unit_name,
       c.queued_at, coalesce(c.completed_at, c.caller_left_at, c.queued_at) as ended_at,
       (c.queued_at at time zone 'Europe/Stockholm')::date as local_date,
       extract(hour from c.queued_at at time zone 'Europe/Stockholm')::smallint as local_hour,
       extract(isodow from c.queued_at at time zone 'Europe/Stockholm')::smallint as local_weekday,
       coalesce(c.outcome, c.state) as outcome, c.answered_at is not null as answered,
       greatest(0, floor(extract(epoch from coalesce(c.answered_at, c.completed_at, c.caller_left_at, c.queued_at) - c.queued_at)))::int as wait_seconds,
       case when c.answered_at is null then 0
            else greatest(0, floor(extract(epoch from c.completed_at - c.answered_at)))::int end as handle_seconds,
       call_closed_units(c.id) as closed_unit_ids, c.wrap_up_category
from calls c
left join lateral (
    select coalesce(e.data -> 'details' ->> 'id', e.data -> 'details' ->> 'number') as unit_id, e.data -> 'details' ->> 'name' as unit_name
    from call_events e
    where e.call_id = c.id and e.type = 'completed' and e.data -> 'details' ->> 'kind' = 'unit'
    order by e.id desc limit 1
) t on c.outcome = 'transferred'
left join callbacks b on b.call_id = c.id
left join lateral (
    select coalesce(recipient_id, recipient_name) as unit_id, recipient_name as unit_name
    from messages where call_id = c.id and recipient_kind = 'unit'
) m on c.outcome = 'message'
where c.state in ('completed', 'abandoned');

create or replace function statistics_insert_facts(ids uuid[]) returns integer language sql as $$
    with made as (
        insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                                local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category)
        select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
               local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category
        from call_facts_source where call_id = any (ids)
        on conflict (call_id) do nothing
        returning 1
    )
    select count(*)::int from made
$$;

create or replace function statistics_backfill_facts() returns bigint language sql as $$
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category
    from call_facts_source s
    where not exists (select 1 from call_facts f where f.call_id = s.call_id);

    update call_facts f set bounced_back = true
    from (
        select distinct t.id
        from calls n, statistics_settings s,
             lateral (select c.id from calls c
                      where c.caller_number = n.caller_number and c.outcome = 'transferred' and c.id <> n.id
                        and c.completed_at <= n.queued_at and c.completed_at >= n.queued_at - s.bounce_back_window
                      order by c.completed_at desc limit 1) t
    ) b
    where f.call_id = b.id and not f.bounced_back;

    -- Refusals by closed units recorded on calls that already had a fact.
    update call_facts f set closed_unit_ids = r.units
    from (select call_id, array_agg(distinct data ->> 'unitId' order by data ->> 'unitId') as units
          from call_events where type = 'destination_closed' and data ->> 'unitId' is not null group by call_id) r
    where f.call_id = r.call_id and f.closed_unit_ids is distinct from r.units;

    select count(*) from call_facts
$$;

-- The keys one fact has in each slice (the call's own row per dimension).
create or replace function call_fact_slice_keys(f call_facts) returns table (dimension text, key text) language sql immutable as $$
    values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
           ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
           ('wrapUpCategory', coalesce(f.wrap_up_category, ''))
$$;

drop view call_slice_waits_monthly_recomputed;
drop view call_slice_waits_recomputed;
drop view call_slices_recomputed;

create view call_slices_recomputed as
with keys as (
    select f as fact, k.dimension, k.key
    from call_facts f,
         lateral (values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
                         ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
                         ('wrapUpCategory', coalesce(f.wrap_up_category, ''))) k (dimension, key)
), r as (
    select k.dimension, d.local_date, d.municipality_code, k.key, d.offered, d.answered, d.abandoned, d.answered_wait_sum,
           d.handle_sum, d.answered_direct, d.transferred, d.callbacks, d.callbacks_kept, d.callbacks_missed, d.messages,
           d.fault_reports, d.bounce_backs, case when k.dimension = 'unit' then 0 else d.closed_destinations end as closed_destinations
    from keys k, lateral call_fact_daily(k.fact) d
    union all
    select 'unit', f.local_date, coalesce(f.municipality_code, ''), u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from call_facts f, unnest(f.closed_unit_ids) u
)
select dimension, local_date, municipality_code, key, sum(offered)::int as offered, sum(answered)::int as answered,
       sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
       sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
       sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
       sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
       sum(messages)::int as messages, sum(fault_reports)::int as fault_reports,
       sum(bounce_backs)::int as bounce_backs, sum(closed_destinations)::int as closed_destinations
from r
group by dimension, local_date, municipality_code, key;

create view call_slice_waits_recomputed as
select k.dimension, f.local_date, coalesce(f.municipality_code, '') as municipality_code, k.key, f.answered,
       least(f.wait_seconds, 3600) as wait_seconds, count(*)::int as calls
from call_facts f,
     lateral (values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
                     ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
                     ('wrapUpCategory', coalesce(f.wrap_up_category, ''))) k (dimension, key)
where f.answered or f.outcome = 'abandoned'
group by 1, 2, 3, 4, 5, 6;

create view call_slice_waits_monthly_recomputed as
select dimension, date_trunc('month', local_date)::date as local_date, municipality_code, key, answered, wait_seconds,
       sum(calls)::int as calls
from call_slice_waits_recomputed
group by 1, 2, 3, 4, 5, 6;

-- Existing facts get their category without moving their rollup rows (the trigger would take each
-- fact's contribution out and put it back); the new dimension's rows are then added for every fact
-- already rolled up (a pending fact is added, with all its keys, by the next flush).
alter table call_facts disable trigger call_facts_rollup;
update call_facts f set wrap_up_category = c.wrap_up_category
from calls c where c.id = f.call_id and c.wrap_up_category is not null;
alter table call_facts enable trigger call_facts_rollup;

insert into call_slices (dimension, local_date, municipality_code, key, offered, answered, abandoned, answered_wait_sum,
                         handle_sum, answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                         fault_reports, bounce_backs, closed_destinations)
select 'wrapUpCategory', d.local_date, d.municipality_code, coalesce(f.wrap_up_category, ''), sum(d.offered)::int,
       sum(d.answered)::int, sum(d.abandoned)::int, sum(d.answered_wait_sum)::bigint, sum(d.handle_sum)::bigint,
       sum(d.answered_direct)::int, sum(d.transferred)::int, sum(d.callbacks)::int, sum(d.callbacks_kept)::int,
       sum(d.callbacks_missed)::int, sum(d.messages)::int, sum(d.fault_reports)::int, sum(d.bounce_backs)::int,
       sum(d.closed_destinations)::int
from call_facts f, lateral call_fact_daily(f) d
where not exists (select 1 from call_facts_pending p where p.call_id = f.call_id)
group by 2, 3, 4;

insert into call_slice_waits (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
select 'wrapUpCategory', f.local_date, coalesce(f.municipality_code, ''), coalesce(f.wrap_up_category, ''), f.answered,
       least(f.wait_seconds, 3600), count(*)::int
from call_facts f
where (f.answered or f.outcome = 'abandoned')
  and not exists (select 1 from call_facts_pending p where p.call_id = f.call_id)
group by 1, 2, 3, 4, 5, 6;

insert into call_slice_waits_monthly (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
select dimension, date_trunc('month', local_date)::date, municipality_code, key, answered, wait_seconds, sum(calls)::int
from call_slice_waits where dimension = 'wrapUpCategory'
group by 1, 2, 3, 4, 5, 6;
