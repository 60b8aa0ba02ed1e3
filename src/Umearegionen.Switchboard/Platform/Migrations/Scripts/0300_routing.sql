-- Routing: calls from the telephony platform, their event history, operators, offers, outcomes,
-- notices and the instruction outbox to the platform.
--
-- calls, call_events, offers, telephony_instructions and operators are written at every call, up to
-- 200 calls a second. Three rules keep them cheap, each measured (docs/decisions/0010, 0011):
-- * Only the indexes a frequent read needs. An update that changes an indexed column, or a column
--   in an index's predicate, cannot be HOT: it adds an entry to every index of the table whose
--   predicate the new row matches. calls.state is in the predicates of the partial indexes below, so
--   every state change pays for each that matches. HotTableIndexTests lists the indexes allowed, and
--   QueryPlanTests checks that the live reads use them.
-- * Statistics target 30 on every column (ANALYZE samples 9,000 rows, not 30,000), and analysed
--   after changes amounting to half the rows (end of this script; StatisticsSampleTests).
-- * operators leaves half of each page free, so its frequent updates stay HOT.

-- Which municipality a dialled number means. Seeded with each municipality's main number; more
-- numbers (direct lines, the shared service number) are added as rows.
create table dialled_numbers (
    number            text primary key,
    municipality_code text not null references municipalities (code),
    description       text not null
);
insert into dialled_numbers (number, municipality_code, description)
select main_number, code, 'main number' from municipalities;

-- Operators' working state. The row is created the first time an operator connects.
--
-- No index besides the key: the table has one row per operator (hundreds at most), the dispatcher
-- reads every free operator and RoutingPolicy orders them in memory. Every finished call sets
-- idle_since, and status changes and (dis)connections change status and disconnected_at, so an index
-- on any of them would make those updates non-HOT. Measured on 300 operator rows, 30,000 updates of
-- idle_since from one client: 0 HOT with an index on (idle_since) where status = 'available' and
-- disconnected_at is null, 29,982 without it; WAL 9.3 MB against 5.4 MB.
--
-- fillfactor 50: half of each page left free, so that an updated row's new version finds room on its
-- own page, which a HOT update needs. Measured from 4 clients beside a session holding a snapshot for
-- 200 ms at a time (dead versions cannot be pruned meanwhile): 365 and 459 of 30,000 updates were not
-- HOT at the default fillfactor (100), 147 and 167 at 50. The cost is a few pages.
create table operators (
    account_id        uuid primary key references accounts (id),
    team              text not null check (team in ('main', 'cover')),
    status            text not null check (status in ('available', 'paused', 'wrap_up', 'offline')),
    paused_reason     text,
    -- Who has waited longest for a call gets the next one; kept across brief disconnections.
    idle_since        timestamptz not null,
    status_changed_at timestamptz not null,
    -- Null while at least one hub connection is open (operator_connections); set when the last one closes.
    disconnected_at   timestamptz,
    last_seen_at      timestamptz not null,
    -- Offers may be made by two paths at once: the intake offers a new call itself when a main-team
    -- operator is free beyond those the waiting calls will get (Routing/CallIntake.cs), the dispatcher
    -- offers the rest (Routing/Dispatcher.cs). So every offer, and every call an operator picks from
    -- the queue, adds one here in the same statement; whoever offers stores the offer only if the
    -- count is still the one read (PostgreSQL checks it again on the newest version of the row). Of two
    -- offers to one operator the second makes none, and the call stays queued for the dispatcher
    -- (docs/decisions/0008). Not indexed, so the update stays HOT.
    assignments       bigint not null default 0,
    -- After-call work (efterarbete): when an available operator ends a call they enter the wrap_up
    -- status until this time (Routing:AfterCallWork after the call ended); the leader's sweeper makes
    -- them available again (Sweeper.cs), so the end is noticed on any node without a timer per
    -- operator. Null while not in after-call work, and for a wrap_up the operator chose themselves.
    after_call_until  timestamptz,
    constraint paused_has_reason check (status <> 'paused' or paused_reason is not null)
) with (fillfactor = 50);

-- Operators' open hub connections, and the node each is open on (docs/decisions/0004). An operator
-- is connected (operators.disconnected_at is null) while at least one row is here. The row and the
-- operator's disconnected_at change together, under the operator's row lock, so two nodes opening and
-- closing the same operator's connections at once agree. Rows of a node that is gone (its advisory
-- lock is released, cluster_nodes) are removed by the leader's sweeper, which starts those
-- operators' grace period.
create table operator_connections (
    connection_id text primary key,
    account_id    uuid not null references operators (account_id),
    node_id       bigint not null,
    connected_at  timestamptz not null
);
create index operator_connections_account on operator_connections (account_id);
create index operator_connections_node on operator_connections (node_id);

-- A call's current state. The event history is in call_events.
create table calls (
    id                uuid primary key,
    platform_call_id  text not null unique,
    -- Null once removed (retention or erasure, docs/personal-data.md): personal_data_removed_at says when.
    caller_number     text,
    dialled_number    text not null,
    municipality_code text references municipalities (code),
    menu_topic        text,
    priority          integer not null default 0,
    state             text not null check (state in ('queued', 'offered', 'connected', 'completed', 'abandoned')),
    queued_at         timestamptz not null,
    offered_to        uuid references accounts (id),
    offered_at        timestamptz,
    offer_expires_at  timestamptz,
    operator_id       uuid references accounts (id),
    answered_at       timestamptz,
    consultation      jsonb,
    caller_left_at    timestamptz,
    completed_at      timestamptz,
    outcome           text check (outcome in ('transferred', 'answered', 'callback', 'message', 'fault_report', 'abandoned')),
    wrap_up_category  text,
    version           integer not null default 1,
    -- The call's events and the platform's instructions are cleaned with the call (the note of an
    -- answered call, and any value equal to the caller's number); this stands for them.
    personal_data_removed_at timestamptz,
    constraint offered_has_operator check (state <> 'offered' or (offered_to is not null and offer_expires_at is not null)),
    constraint connected_has_operator check (state <> 'connected' or operator_id is not null)
);
-- The queue order: priority, then time waited. Also the queue snapshot's (Routing/LiveView.cs).
create index calls_queue on calls (priority desc, queued_at, id) where state = 'queued';
-- An operator has at most one offer and at most one call at a time: the database guarantees it.
-- The queue snapshot reads the offered calls, and the sweeper the expired offers (Routing/Sweeper.cs),
-- through calls_one_offer_per_operator: a few hundred entries at most, each one's expiry checked.
-- Indexes on (state in ('queued', 'offered')) or on offer_expires_at would take an entry at every
-- queueing and every offer.
create unique index calls_one_offer_per_operator on calls (offered_to) where state = 'offered';
create unique index calls_one_call_per_operator on calls (operator_id) where state = 'connected';
create index calls_queued_today on calls (queued_at);
-- Ended calls found by the caller's number, for a call's history searched by number and for register
-- extracts (docs/personal-data.md); without it each such search read the whole of calls. Partial, over
-- ended calls only (completed_at is set when a call is completed or abandoned): one entry per call,
-- at the update that ends it, which changes state and so is never HOT anyway. A full index would take
-- an entry at the insert and at most of the call's ~4 updates. Measured on 5,000 calls each inserted,
-- offered, connected and completed as routing does: 22.5 WAL records a call without an index on
-- caller_number, 23.4 with this one, 27.0-28.3 with a full index on (caller_number, queued_at).
-- Calls still under way are read through the partial indexes of their states (CallHistory.CallsOfCaller).
create index calls_ended_by_caller on calls (caller_number, queued_at) where completed_at is not null;

-- Append-only history per call. Events from the platform carry its event id: a retry is a no-op.
create table call_events (
    id                bigint generated always as identity primary key,
    call_id           uuid not null references calls (id),
    type              text not null,
    platform_event_id text,
    occurred_at       timestamptz not null,
    actor_id          text,
    data              jsonb
);
create unique index call_events_platform_event on call_events (call_id, platform_event_id) where platform_event_id is not null;
create index call_events_call on call_events (call_id, id);

-- Every offer made, and how it ended.
create table offers (
    id          bigint generated always as identity primary key,
    call_id     uuid not null references calls (id),
    operator_id uuid not null references accounts (id),
    offered_at  timestamptz not null,
    expires_at  timestamptz not null,
    resolution  text check (resolution in ('accepted', 'declined', 'timed_out', 'withdrawn')),
    resolved_at timestamptz
);
create index offers_open on offers (call_id) where resolution is null;

-- What the service tells the platform to do; delivered at least once, in sequence order, until acknowledged.
create table telephony_instructions (
    seq              bigint generated always as identity primary key,
    call_id          uuid not null references calls (id),
    platform_call_id text not null,
    kind             text not null,
    payload          jsonb not null,
    created_at       timestamptz not null,
    acknowledged_at  timestamptz
);
create index telephony_instructions_pending on telephony_instructions (seq) where acknowledged_at is null;

-- Outcomes. Destinations (units, people) are stored as given: kind, id, number and name.
-- Their personal columns (the caller's number and name, free text) are nullable: null once removed
-- by retention or erasure, and personal_data_removed_at says when (docs/decisions/0006).

-- The caller's number and name and the note go; with them the follow-up's note and the follow-up's
-- entries in audit_log, which copy that note.
create table callbacks (
    id             uuid primary key,
    call_id        uuid not null unique references calls (id),
    unit_id        text not null,
    unit_name      text not null,
    caller_number  text,
    caller_name    text,
    window_start   timestamptz not null,
    window_end     timestamptz not null,
    note           text,
    booked_by      uuid not null references accounts (id),
    booked_at      timestamptz not null,
    personal_data_removed_at timestamptz,
    constraint window_order check (window_end > window_start)
);

-- The caller's name, number and the message text go (and the last SMTP error, which may quote it).
-- The recipient (a member of staff or a unit) stays: statistics count messages per unit.
create table messages (
    id               uuid primary key,
    call_id          uuid not null unique references calls (id),
    recipient_kind   text not null check (recipient_kind in ('person', 'unit')),
    recipient_id     text,
    recipient_name   text not null,
    recipient_email  text not null,
    caller_name      text,
    caller_number    text,
    text             text,
    taken_by         uuid not null references accounts (id),
    taken_at         timestamptz not null,
    sent_at          timestamptz,
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null,
    last_error       text,
    personal_data_removed_at timestamptz
);
create index messages_unsent on messages (next_attempt_at) where sent_at is null;

-- The contact's name and number, what is wrong and where (free text that may point at a home) go.
create table fault_reports (
    id                uuid primary key,
    call_id           uuid not null unique references calls (id),
    municipality_code text not null references municipalities (code),
    what              text,
    location          text,
    contact_name      text,
    contact_number    text,
    registered_by     uuid not null references accounts (id),
    registered_at     timestamptz not null,
    personal_data_removed_at timestamptz
);
create index fault_reports_municipality on fault_reports (municipality_code, registered_at);

-- Disruption notices, pinned for operators until they expire.
create table notices (
    id                uuid primary key,
    municipality_code text not null references municipalities (code),
    topics            text[] not null default '{}',
    text              text not null,
    published_at      timestamptz not null,
    expires_at        timestamptz not null,
    published_by      text not null,
    withdrawn_at      timestamptz,
    -- Answers a crisis notice points to ("Vattenläcka i Vännäs: kokningsrekommendation"): the
    -- operator's view of a matching call lists them first while the notice is in force
    -- (docs/answers.md). Checked when the notice is published; an answer removed later is no longer listed.
    answer_ids        uuid[] not null default '{}',
    constraint expiry_after_publication check (expires_at > published_at)
);
create index notices_current on notices (expires_at) where withdrawn_at is null;

-- The tables every call writes are analysed from a smaller sample (docs/decisions/0011). ANALYZE
-- reads 300 rows for each unit of the largest statistics target among the table's columns: 30,000
-- at the default of 100. On a year of history that took 0.3-0.5 s for calls alone on an idle 2-core
-- machine and 1.0-1.6 s under load, while the calls waited for the same cores; at 30 the sample is
-- 9,000 rows (calls 523 -> 82 ms, telephony_instructions 363 -> 43 ms). What the planner needs from
-- these tables is coarse: a handful of states, outcomes and municipalities, and time ranges (30
-- histogram buckets are about 12 days each over a year). Set on every column, since the largest
-- target decides the sample: a column added later must be given the same target
-- (StatisticsSampleTests fails until it is).
do $$
declare
    t text;
    c text;
begin
    foreach t in array array['calls', 'call_events', 'offers', 'telephony_instructions'] loop
        for c in select attname from pg_attribute where attrelid = t::regclass and attnum > 0 and not attisdropped loop
            execute format('alter table %I alter column %I set statistics 30', t, c);
        end loop;
    end loop;
end $$;

-- ... and analysed about a fifth as often (docs/decisions/0011). Autovacuum analyses a table once the
-- rows changed since its last ANALYZE pass 10 % of its rows, but a call is inserted and then updated
-- about three times in its first minute, and each offer and instruction is inserted and updated once,
-- so 10 % of changes is about 2 % of new calls: an ANALYZE of each every minute at 200 calls a second.
-- At 0.5 it is again about a tenth of the table being new calls. The live reads go through partial
-- indexes whatever the estimates (QueryPlanTests). Vacuum keeps its own threshold.
alter table calls set (autovacuum_analyze_scale_factor = 0.5);
alter table call_events set (autovacuum_analyze_scale_factor = 0.5);
alter table offers set (autovacuum_analyze_scale_factor = 0.5);
alter table telephony_instructions set (autovacuum_analyze_scale_factor = 0.5);
