-- Statistics, second step: calls to closed destinations, and daily rollups per unit, topic,
-- operator and hour of day so that those slices no longer read every call of the range.
--
-- Routing appends a 'destination_closed' event to a call (data: unitId, unitName, attempt, mode,
-- opensAt, fallback) when it refuses a transfer or consultation because the unit is closed. The
-- fact of the call keeps the distinct closed units it was refused (closed_unit_ids); the rollups
-- count a call once in total and once under each closed unit in the unit slice.

alter table call_facts add column closed_unit_ids text[] not null default '{}';
alter table call_daily add column closed_destinations integer not null default 0;

-- The rollup per slice: one row per local day, municipality ('' when unknown), dimension and key.
-- The key is exactly the per-call key of the slice (SummaryQueries.FactKeys): unit id, topic,
-- operator id ('' for none) or the hour '00'–'23'. In the unit slice a call counts under the unit
-- it went to, and its refusals by closed units count (closed_destinations only) under those units.
create table call_slices (
    dimension         text not null check (dimension in ('unit', 'topic', 'operator', 'hour')),
    local_date        date not null,
    municipality_code text not null,
    key               text not null,
    offered           integer not null default 0,
    answered          integer not null default 0,
    abandoned         integer not null default 0,
    answered_wait_sum bigint not null default 0,
    handle_sum        bigint not null default 0,
    answered_direct   integer not null default 0,
    transferred       integer not null default 0,
    callbacks         integer not null default 0,
    callbacks_kept    integer not null default 0,
    callbacks_missed  integer not null default 0,
    messages          integer not null default 0,
    fault_reports     integer not null default 0,
    bounce_backs      integer not null default 0,
    closed_destinations integer not null default 0,
    primary key (dimension, local_date, municipality_code, key)
);

-- The wait histogram per slice (one-second buckets capped at one hour, as call_daily_waits), per
-- day and, for ranges that cover whole months, per month (local_date = the month's first day).
create table call_slice_waits (
    dimension         text not null,
    local_date        date not null,
    municipality_code text not null,
    key               text not null,
    answered          boolean not null,
    wait_seconds      integer not null,
    calls             integer not null,
    primary key (dimension, local_date, municipality_code, key, answered, wait_seconds)
);

create table call_slice_waits_monthly (
    dimension         text not null,
    local_date        date not null check (extract(day from local_date) = 1),
    municipality_code text not null,
    key               text not null,
    answered          boolean not null,
    wait_seconds      integer not null,
    calls             integer not null,
    primary key (dimension, local_date, municipality_code, key, answered, wait_seconds)
);

-- What one fact contributes to the municipality rollup, now with closed destinations.
create or replace function call_fact_daily(f call_facts) returns call_daily language sql immutable as $$
    select row(f.local_date, coalesce(f.municipality_code, ''), 1, f.answered::int, (f.outcome = 'abandoned')::int,
               case when f.answered then f.wait_seconds else 0 end::bigint,
               case when f.answered then f.handle_seconds + f.wrap_up_seconds else 0 end::bigint,
               (f.outcome = 'answered')::int, (f.outcome = 'transferred')::int, (f.outcome = 'callback')::int,
               coalesce(f.callback_result = 'kept', false)::int, coalesce(f.callback_result = 'missed', false)::int, (f.outcome = 'message')::int,
               (f.outcome = 'fault_report')::int, f.bounced_back::int, (cardinality(f.closed_unit_ids) > 0)::int)::call_daily
$$;

-- The keys one fact has in each slice (the call's own row per dimension).
create function call_fact_slice_keys(f call_facts) returns table (dimension text, key text) language sql immutable as $$
    values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
           ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0'))
$$;

-- What one fact contributes to the slice rollup: its own rows, plus a closed-destination-only row
-- under each closed unit in the unit slice (merged with its own row when it is the same unit).
create function call_fact_slices(f call_facts) returns setof call_slices language sql immutable as $$
    with d as (select * from call_fact_daily(f)), r as (
        select k.dimension, k.key, d.offered, d.answered, d.abandoned, d.answered_wait_sum, d.handle_sum, d.answered_direct,
               d.transferred, d.callbacks, d.callbacks_kept, d.callbacks_missed, d.messages, d.fault_reports, d.bounce_backs,
               case when k.dimension = 'unit' then 0 else d.closed_destinations end as closed_destinations
        from d, call_fact_slice_keys(f) k
        union all
        select 'unit', u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 from unnest(f.closed_unit_ids) u
    )
    select r.dimension, f.local_date, coalesce(f.municipality_code, ''), r.key, sum(r.offered)::int, sum(r.answered)::int,
           sum(r.abandoned)::int, sum(r.answered_wait_sum)::bigint, sum(r.handle_sum)::bigint, sum(r.answered_direct)::int,
           sum(r.transferred)::int, sum(r.callbacks)::int, sum(r.callbacks_kept)::int, sum(r.callbacks_missed)::int,
           sum(r.messages)::int, sum(r.fault_reports)::int, sum(r.bounce_backs)::int, sum(r.closed_destinations)::int
    from r
    group by r.dimension, r.key
    order by r.dimension, r.key
$$;

create or replace view call_daily_recomputed as
select d.local_date, d.municipality_code, sum(d.offered)::int as offered, sum(d.answered)::int as answered,
       sum(d.abandoned)::int as abandoned, sum(d.answered_wait_sum)::bigint as answered_wait_sum,
       sum(d.handle_sum)::bigint as handle_sum, sum(d.answered_direct)::int as answered_direct,
       sum(d.transferred)::int as transferred, sum(d.callbacks)::int as callbacks,
       sum(d.callbacks_kept)::int as callbacks_kept, sum(d.callbacks_missed)::int as callbacks_missed,
       sum(d.messages)::int as messages, sum(d.fault_reports)::int as fault_reports,
       sum(d.bounce_backs)::int as bounce_backs, sum(d.closed_destinations)::int as closed_destinations
from call_facts f, lateral call_fact_daily(f) d
group by d.local_date, d.municipality_code;

-- The slice rollup as recomputed from the facts (the same contributions as call_fact_slices,
-- written as one set query so a rebuild over millions of facts stays a single pass).
create view call_slices_recomputed as
with keys as (
    select f as fact, k.dimension, k.key
    from call_facts f,
         lateral (values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
                         ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0'))) k (dimension, key)
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
                     ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0'))) k (dimension, key)
where f.answered or f.outcome = 'abandoned'
group by 1, 2, 3, 4, 5, 6;

create view call_slice_waits_monthly_recomputed as
select dimension, date_trunc('month', local_date)::date as local_date, municipality_code, key, answered, wait_seconds,
       sum(calls)::int as calls
from call_slice_waits_recomputed
group by 1, 2, 3, 4, 5, 6;

create or replace function statistics_apply(f call_facts, p_sign integer) returns void language plpgsql as $$
declare
    d call_daily := call_fact_daily(f);
begin
    insert into call_daily as t (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                 answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                 fault_reports, bounce_backs, closed_destinations)
    values (d.local_date, d.municipality_code, p_sign * d.offered, p_sign * d.answered, p_sign * d.abandoned,
            p_sign * d.answered_wait_sum, p_sign * d.handle_sum, p_sign * d.answered_direct, p_sign * d.transferred,
            p_sign * d.callbacks, p_sign * d.callbacks_kept, p_sign * d.callbacks_missed, p_sign * d.messages,
            p_sign * d.fault_reports, p_sign * d.bounce_backs, p_sign * d.closed_destinations)
    on conflict (local_date, municipality_code) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    -- The slice rows, in key order (every fact of a day and municipality locks call_daily's row first).
    insert into call_slices as t
    select s.dimension, s.local_date, s.municipality_code, s.key, p_sign * s.offered, p_sign * s.answered,
           p_sign * s.abandoned, p_sign * s.answered_wait_sum, p_sign * s.handle_sum, p_sign * s.answered_direct,
           p_sign * s.transferred, p_sign * s.callbacks, p_sign * s.callbacks_kept, p_sign * s.callbacks_missed,
           p_sign * s.messages, p_sign * s.fault_reports, p_sign * s.bounce_backs, p_sign * s.closed_destinations
    from call_fact_slices(f) s
    on conflict (dimension, local_date, municipality_code, key) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    if f.answered or f.outcome = 'abandoned' then
        insert into call_daily_waits as w (local_date, municipality_code, answered, wait_seconds, calls)
        values (d.local_date, d.municipality_code, f.answered, least(f.wait_seconds, 3600), p_sign)
        on conflict (local_date, municipality_code, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
        insert into call_slice_waits as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
        select k.dimension, d.local_date, d.municipality_code, k.key, f.answered, least(f.wait_seconds, 3600), p_sign
        from call_fact_slice_keys(f) k order by k.dimension
        on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
        insert into call_slice_waits_monthly as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
        select k.dimension, date_trunc('month', d.local_date)::date, d.municipality_code, k.key, f.answered, least(f.wait_seconds, 3600), p_sign
        from call_fact_slice_keys(f) k order by k.dimension
        on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
    end if;
    if f.answered and f.operator_id is not null then
        insert into operator_daily as o (local_date, operator_id, answered, handle_sum)
        values (f.local_date, f.operator_id, p_sign, p_sign * (f.handle_seconds + f.wrap_up_seconds))
        on conflict (local_date, operator_id) do update set answered = o.answered + excluded.answered,
                                                            handle_sum = o.handle_sum + excluded.handle_sum;
    end if;
end $$;

create or replace function statistics_rebuild_rollup() returns void language sql as $$
    delete from call_daily;
    delete from call_daily_waits;
    delete from operator_daily;
    delete from call_slices;
    delete from call_slice_waits;
    delete from call_slice_waits_monthly;
    insert into call_daily select * from call_daily_recomputed;
    insert into call_daily_waits select * from call_daily_waits_recomputed;
    insert into operator_daily select * from operator_daily_recomputed;
    insert into call_slices select * from call_slices_recomputed;
    insert into call_slice_waits select * from call_slice_waits_recomputed;
    -- The months from the days just written: the same sums as call_slice_waits_monthly_recomputed, one pass less.
    insert into call_slice_waits_monthly
    select dimension, date_trunc('month', local_date)::date, municipality_code, key, answered, wait_seconds, sum(calls)::int
    from call_slice_waits group by 1, 2, 3, 4, 5, 6;
$$;

-- The distinct closed units a call was refused, from its events (sorted, so the value is stable).
create function call_closed_units(p_call_id uuid) returns text[] language sql stable as $$
    select coalesce(array_agg(distinct e.data ->> 'unitId' order by e.data ->> 'unitId'), '{}')
    from call_events e
    where e.call_id = p_call_id and e.type = 'destination_closed' and e.data ->> 'unitId' is not null
$$;

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
       call_closed_units(c.id) as closed_unit_ids
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

create or replace function calls_to_facts() returns trigger language plpgsql as $$
begin
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids
    from call_facts_source where call_id = new.id
    on conflict (call_id) do nothing;
    return null;
exception when others then
    -- Statistics must never stop a call from being completed; statistics_backfill_facts() repairs.
    raise warning 'statistics: no fact for call %: %', new.id, sqlerrm;
    return null;
end $$;

create or replace function statistics_backfill_facts() returns bigint language sql as $$
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids
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

-- A refusal recorded after the call's fact exists (the call ended in between) still reaches it.
create function call_events_closed_destination() returns trigger language plpgsql as $$
begin
    update call_facts set closed_unit_ids = call_closed_units(new.call_id)
    where call_id = new.call_id and not (closed_unit_ids @> array[new.data ->> 'unitId']);
    return null;
exception when others then
    raise warning 'statistics: closed destination not counted for call %: %', new.call_id, sqlerrm;
    return null;
end $$;
create trigger call_events_closed_destination after insert on call_events
    for each row when (new.type = 'destination_closed' and new.data ->> 'unitId' is not null)
    execute function call_events_closed_destination();

-- Existing rows: refusals already in the history (none before this migration, but a restored
-- history may hold some), then the new rollups from the facts. The rollup trigger is off while
-- the facts are corrected, since the rollups are then filled from the corrected facts.
alter table call_facts disable trigger call_facts_rollup;
update call_facts f set closed_unit_ids = r.units
from (select call_id, array_agg(distinct data ->> 'unitId' order by data ->> 'unitId') as units
      from call_events where type = 'destination_closed' and data ->> 'unitId' is not null group by call_id) r
where f.call_id = r.call_id;

update call_daily t set closed_destinations = r.calls
from (select local_date, coalesce(municipality_code, '') as municipality_code, count(*)::int as calls
      from call_facts where cardinality(closed_unit_ids) > 0 group by 1, 2) r
where r.local_date = t.local_date and r.municipality_code = t.municipality_code;

insert into call_slices select * from call_slices_recomputed;
insert into call_slice_waits select * from call_slice_waits_recomputed;
insert into call_slice_waits_monthly
select dimension, date_trunc('month', local_date)::date, municipality_code, key, answered, wait_seconds, sum(calls)::int
from call_slice_waits group by 1, 2, 3, 4, 5, 6;
analyze call_slices;
analyze call_slice_waits;
analyze call_slice_waits_monthly;
alter table call_facts enable trigger call_facts_rollup;
