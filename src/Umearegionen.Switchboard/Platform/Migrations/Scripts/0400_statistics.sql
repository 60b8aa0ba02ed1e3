-- Statistics (docs/metrics.md): a fact row per ended call, daily rollups kept from the facts (per
-- municipality, and per unit, topic, operator, hour and wrap-up category), operators' status history,
-- and the follow-up of booked callbacks. Routing's tables are only read: triggers capture what
-- statistics need without routing knowing (Functions/calls_to_facts.sql and the others).
--
-- Off the call path (docs/decisions/0013): an ended call only notes its id in call_facts_due; the
-- service's flush (Functions/statistics_flush.sql), one at a time, every few seconds and before
-- every statistics read, makes the due calls' facts and adds pending facts to the rollups set-based.

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
    callback_result   text check (callback_result in ('kept', 'missed')),
    -- The distinct closed units the call was refused (routing's 'destination_closed' events: a
    -- transfer or consultation refused because the unit was closed), sorted.
    closed_unit_ids   text[] not null default '{}',
    -- The category the operator recorded when completing the call (calls.wrap_up_category).
    wrap_up_category  text
);
create index call_facts_date on call_facts (local_date, municipality_code);
create index call_facts_operator on call_facts (operator_id, ended_at) where operator_id is not null;
-- Names beside unit keys: the name the period's latest call to the unit carried, found per unit
-- through this index instead of reading every fact of the period (SummaryQueries.LabelsAsync).
create index call_facts_unit on call_facts (unit_id, local_date) where unit_id is not null;

-- Finds a caller's earlier transferred call when they call again (bounce-backs). Partial, so only
-- the update that ends a transferred call adds an entry (see 0300_routing.sql on calls' indexes).
create index calls_transferred_by_caller on calls (caller_number, completed_at) where outcome = 'transferred';

-- Ended calls whose fact is still to be made by the flush (Functions/calls_to_facts.sql).
create table call_facts_due (call_id uuid primary key);

-- Facts not yet added to the rollups. A change to a fact locks its own pending row: if the fact is
-- still pending the flush adds it as it is after the change; if it has been flushed the change is
-- applied at once (-old, +new), which adds up to the same whatever the order
-- (Functions/call_facts_rollup.sql).
create table call_facts_pending (call_id uuid primary key);

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
    -- Calls refused by at least one closed unit.
    closed_destinations integer not null default 0,
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

-- The rollup per slice: one row per local day, municipality ('' when unknown), dimension and key,
-- so that the slices do not read every call of the range. The key is exactly the per-call key of the
-- slice (SummaryQueries.FactKeys): unit id, topic, operator id ('' for none), the hour '00'–'23' or
-- the wrap-up category ('' for none). In the unit slice a call counts under the unit it went to, and
-- its refusals by closed units count (closed_destinations only) under those units.
create table call_slices (
    dimension         text not null check (dimension in ('unit', 'topic', 'operator', 'hour', 'wrapUpCategory')),
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

-- Operators' status history, for occupancy. A disconnected operator counts as offline.
create table operator_status_log (
    id         bigint generated always as identity primary key,
    account_id uuid not null references accounts (id),
    status     text not null,
    started_at timestamptz not null
);
create index operator_status_log_account on operator_status_log (account_id, started_at);
create index operator_status_log_time on operator_status_log (started_at);

-- Whether a booked callback was made: recorded by the unit (editor) afterwards.
create table callback_follow_ups (
    callback_id uuid primary key references callbacks (id),
    result      text not null check (result in ('kept', 'missed')),
    note        text,
    recorded_by text not null,
    recorded_at timestamptz not null
);

-- The tables the flush writes as calls end are analysed from a smaller sample, as routing's are
-- (docs/decisions/0011): with the default statistics target of 100 ANALYZE reads 30,000 rows, at 30
-- it reads 9,000. Measured on an idle 2-core machine after a load test on a year of history:
-- call_facts 499 -> 111 ms, call_slices 163 -> 39 ms, call_slice_waits_monthly 208 -> 25 ms. The
-- statistics benchmark's plans were compared at 100 and at 30. Set on every column, since the largest
-- target decides the sample; a column added later needs the same (StatisticsSampleTests).
do $$
declare
    t text;
    c text;
begin
    foreach t in array array['call_facts', 'call_facts_pending', 'call_facts_due', 'call_daily', 'call_daily_waits',
                             'operator_daily', 'operator_status_log', 'call_slices', 'call_slice_waits',
                             'call_slice_waits_monthly'] loop
        for c in select attname from pg_attribute where attrelid = t::regclass and attnum > 0 and not attisdropped loop
            execute format('alter table %I alter column %I set statistics 30', t, c);
        end loop;
    end loop;
end $$;

-- The rollups are analysed about a fifth as often (docs/decisions/0011): the flush updates the day's
-- rows in place as calls end, so at 200 calls a second their changes pass autovacuum's 10 % of rows
-- every minute, while what the planner knows of them (which days, municipalities and keys exist)
-- changes only when a new day or key appears. Their period reads select by date range and key through
-- their primary keys. call_facts (one insert per call, rarely updated) and the queues keep the default.
alter table call_daily set (autovacuum_analyze_scale_factor = 0.5);
alter table call_daily_waits set (autovacuum_analyze_scale_factor = 0.5);
alter table operator_daily set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slices set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slice_waits set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slice_waits_monthly set (autovacuum_analyze_scale_factor = 0.5);
