-- Statistics: a fact row per ended call, a daily rollup per municipality kept incrementally from
-- the facts, operators' status history, and the follow-up of booked callbacks. Routing's tables
-- are only read; the triggers below capture what statistics need without routing knowing.

-- Settings the triggers need. Written by the service at start from Statistics:BounceBackWindow.
create table statistics_settings (
    id                 boolean primary key default true check (id),
    bounce_back_window interval not null default '00:10:00'
);
insert into statistics_settings (id) values (true);

-- One row per call that has ended (completed by an operator or abandoned by the caller).
create table call_facts (
    call_id           uuid primary key references calls (id),
    municipality_code text,
    topic             text,
    operator_id       uuid,
    unit_id           text,
    unit_name         text,
    queued_at         timestamptz not null,
    ended_at          timestamptz not null,
    -- The day, hour and weekday the call was offered, in Europe/Stockholm local time.
    local_date        date not null,
    local_hour        smallint not null,
    local_weekday     smallint not null, -- ISO: 1 = Monday
    outcome           text not null,
    answered          boolean not null,
    -- Whole seconds, truncated: queue to answer (answered) or queue to hang-up (abandoned).
    wait_seconds      integer not null check (wait_seconds >= 0),
    -- Answer to completion (the operator records the outcome and wrap-up category at completion).
    handle_seconds    integer not null default 0 check (handle_seconds >= 0),
    -- Time in the wrap_up status after the call, added when the operator leaves it.
    wrap_up_seconds   integer not null default 0 check (wrap_up_seconds >= 0),
    bounced_back      boolean not null default false,
    callback_result   text check (callback_result in ('kept', 'missed'))
);
create index call_facts_date on call_facts (local_date, municipality_code);
create index call_facts_operator on call_facts (operator_id, ended_at) where operator_id is not null;

-- Finds a caller's earlier transferred call when they call again (bounce-backs).
create index calls_transferred_by_caller on calls (caller_number, completed_at) where outcome = 'transferred';

-- The daily rollup: per local day and municipality ('' when the dialled number was unknown).
create table call_daily (
    local_date        date not null,
    municipality_code text not null,
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
    primary key (local_date, municipality_code)
);

-- Wait-time histogram per day and municipality, one-second buckets, capped at one hour, so that
-- the service level for any target and the 90th percentile come from the rollup exactly.
create table call_daily_waits (
    local_date        date not null,
    municipality_code text not null,
    answered          boolean not null,
    wait_seconds      integer not null,
    calls             integer not null,
    primary key (local_date, municipality_code, answered, wait_seconds)
);

-- Handle time per operator and day, for occupancy over long periods without reading every fact.
create table operator_daily (
    local_date  date not null,
    operator_id uuid not null,
    answered    integer not null,
    handle_sum  bigint not null,
    primary key (local_date, operator_id)
);

-- What one fact contributes to the rollup; the trigger (one fact) and the rebuild (all) share it.
create function call_fact_daily(f call_facts) returns call_daily language sql immutable as $$
    select row(f.local_date, coalesce(f.municipality_code, ''), 1, f.answered::int, (f.outcome = 'abandoned')::int,
               case when f.answered then f.wait_seconds else 0 end::bigint,
               case when f.answered then f.handle_seconds + f.wrap_up_seconds else 0 end::bigint,
               (f.outcome = 'answered')::int, (f.outcome = 'transferred')::int, (f.outcome = 'callback')::int,
               coalesce(f.callback_result = 'kept', false)::int, coalesce(f.callback_result = 'missed', false)::int, (f.outcome = 'message')::int,
               (f.outcome = 'fault_report')::int, f.bounced_back::int)::call_daily
$$;

-- The rollup as recomputed from the facts: the rebuild and the consistency test read these.
create view call_daily_recomputed as
select d.local_date, d.municipality_code, sum(d.offered)::int as offered, sum(d.answered)::int as answered,
       sum(d.abandoned)::int as abandoned, sum(d.answered_wait_sum)::bigint as answered_wait_sum,
       sum(d.handle_sum)::bigint as handle_sum, sum(d.answered_direct)::int as answered_direct,
       sum(d.transferred)::int as transferred, sum(d.callbacks)::int as callbacks,
       sum(d.callbacks_kept)::int as callbacks_kept, sum(d.callbacks_missed)::int as callbacks_missed,
       sum(d.messages)::int as messages, sum(d.fault_reports)::int as fault_reports,
       sum(d.bounce_backs)::int as bounce_backs
from call_facts f, lateral call_fact_daily(f) d
group by d.local_date, d.municipality_code;

create view call_daily_waits_recomputed as
select local_date, coalesce(municipality_code, '') as municipality_code, answered, least(wait_seconds, 3600) as wait_seconds,
       count(*)::int as calls
from call_facts
where answered or outcome = 'abandoned'
group by 1, 2, 3, 4;

create view operator_daily_recomputed as
select local_date, operator_id, count(*)::int as answered, sum(handle_seconds + wrap_up_seconds)::bigint as handle_sum
from call_facts
where answered and operator_id is not null
group by local_date, operator_id;

create function statistics_apply(f call_facts, p_sign integer) returns void language plpgsql as $$
declare
    d call_daily := call_fact_daily(f);
begin
    insert into call_daily as t (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                 answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                 fault_reports, bounce_backs)
    values (d.local_date, d.municipality_code, p_sign * d.offered, p_sign * d.answered, p_sign * d.abandoned,
            p_sign * d.answered_wait_sum, p_sign * d.handle_sum, p_sign * d.answered_direct, p_sign * d.transferred,
            p_sign * d.callbacks, p_sign * d.callbacks_kept, p_sign * d.callbacks_missed, p_sign * d.messages,
            p_sign * d.fault_reports, p_sign * d.bounce_backs)
    on conflict (local_date, municipality_code) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs;
    if f.answered or f.outcome = 'abandoned' then
        insert into call_daily_waits as w (local_date, municipality_code, answered, wait_seconds, calls)
        values (d.local_date, d.municipality_code, f.answered, least(f.wait_seconds, 3600), p_sign)
        on conflict (local_date, municipality_code, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
    end if;
    if f.answered and f.operator_id is not null then
        insert into operator_daily as o (local_date, operator_id, answered, handle_sum)
        values (f.local_date, f.operator_id, p_sign, p_sign * (f.handle_seconds + f.wrap_up_seconds))
        on conflict (local_date, operator_id) do update set answered = o.answered + excluded.answered,
                                                            handle_sum = o.handle_sum + excluded.handle_sum;
    end if;
end $$;

-- Any change to a fact moves the rollup: the old contribution out, the new one in.
create function call_facts_rollup() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform statistics_apply(old, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform statistics_apply(new, 1);
    end if;
    return null;
end $$;
create trigger call_facts_rollup after insert or update or delete on call_facts
    for each row execute function call_facts_rollup();

-- Rebuilds facts' rollup from scratch (after a bulk load, or to check it).
create function statistics_rebuild_rollup() returns void language sql as $$
    delete from call_daily;
    delete from call_daily_waits;
    delete from operator_daily;
    insert into call_daily select * from call_daily_recomputed;
    insert into call_daily_waits select * from call_daily_waits_recomputed;
    insert into operator_daily select * from operator_daily_recomputed;
$$;

-- What a call that has ended contributes as a fact. The unit is where the call went: a transfer to
-- a unit, the unit a callback was booked for, or a unit that got a message. The trigger below
-- (one call) and the backfill (every ended call) both read this view.
create view call_facts_source as
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
            else greatest(0, floor(extract(epoch from c.completed_at - c.answered_at)))::int end as handle_seconds
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

-- A call that ends becomes a fact. The statement that completed the call also stored its event and
-- outcome rows; an after trigger runs once that statement is done, so the view sees them.
create function calls_to_facts() returns trigger language plpgsql as $$
begin
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds
    from call_facts_source where call_id = new.id
    on conflict (call_id) do nothing;
    return null;
exception when others then
    -- Statistics must never stop a call from being completed; statistics_backfill_facts() repairs.
    raise warning 'statistics: no fact for call %: %', new.id, sqlerrm;
    return null;
end $$;
create trigger calls_to_facts after update of state on calls
    for each row when (new.state in ('completed', 'abandoned') and old.state is distinct from new.state)
    execute function calls_to_facts();

-- Backfill: calls that ended before this migration (or were bulk-loaded with triggers off),
-- with their bounce-backs marked as the trigger below would have marked them.
create function statistics_backfill_facts() returns bigint language sql as $$
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds
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

    select count(*) from call_facts
$$;
select statistics_backfill_facts();

-- A caller who calls again within the window after a transferred call: that transfer bounced back.
create function calls_bounce_back() returns trigger language plpgsql as $$
begin
    update call_facts set bounced_back = true
    where call_id = (
        select c.id from calls c, statistics_settings s
        where c.caller_number = new.caller_number and c.outcome = 'transferred' and c.id <> new.id
          and c.completed_at <= new.queued_at and c.completed_at >= new.queued_at - s.bounce_back_window
        order by c.completed_at desc
        limit 1)
      and not bounced_back;
    return null;
exception when others then
    raise warning 'statistics: bounce-back check failed for call %: %', new.id, sqlerrm;
    return null;
end $$;
create trigger calls_bounce_back after insert on calls for each row execute function calls_bounce_back();

-- Operators' status history, for occupancy. A disconnected operator counts as offline.
create table operator_status_log (
    id         bigint generated always as identity primary key,
    account_id uuid not null references accounts (id),
    status     text not null,
    started_at timestamptz not null
);
create index operator_status_log_account on operator_status_log (account_id, started_at);
create index operator_status_log_time on operator_status_log (started_at);

create function operators_status_log() returns trigger language plpgsql as $$
declare
    new_status text := case when new.disconnected_at is null then new.status else 'offline' end;
    old_status text := case when tg_op = 'INSERT' then null
                            when old.disconnected_at is null then old.status else 'offline' end;
    at timestamptz;
    wrap_started timestamptz;
begin
    if new_status is not distinct from old_status then
        return null;
    end if;
    at := case when tg_op = 'UPDATE' and new.status is distinct from old.status then new.status_changed_at
               when new.disconnected_at is not null then new.disconnected_at
               else new.last_seen_at end;
    insert into operator_status_log (account_id, status, started_at) values (new.account_id, new_status, at);

    -- Leaving wrap-up: the time belongs to the call the operator finished just before (or during) it.
    if old_status = 'wrap_up' then
        select started_at into wrap_started from operator_status_log
        where account_id = new.account_id and status = 'wrap_up' and started_at <= at
        order by started_at desc, id desc limit 1;
        update call_facts f
        set wrap_up_seconds = f.wrap_up_seconds + greatest(0, floor(extract(epoch from at - greatest(wrap_started, f.ended_at))))::int
        where f.call_id = (
            select call_id from call_facts
            where operator_id = new.account_id and ended_at <= at and ended_at >= wrap_started - interval '60 seconds'
            order by ended_at desc limit 1);
    end if;
    return null;
exception when others then
    raise warning 'statistics: status history not recorded for operator %: %', new.account_id, sqlerrm;
    return null;
end $$;
create trigger operators_status_log after insert or update on operators
    for each row execute function operators_status_log();

-- Whether a booked callback was made: recorded by the unit (editor) afterwards.
create table callback_follow_ups (
    callback_id uuid primary key references callbacks (id),
    result      text not null check (result in ('kept', 'missed')),
    note        text,
    recorded_by text not null,
    recorded_at timestamptz not null
);

create function callback_follow_ups_to_facts() returns trigger language plpgsql as $$
begin
    update call_facts f set callback_result = new.result
    from callbacks c where c.id = new.callback_id and f.call_id = c.call_id;
    return null;
end $$;
create trigger callback_follow_ups_to_facts after insert or update on callback_follow_ups
    for each row execute function callback_follow_ups_to_facts();
