-- Routing: calls from the telephony platform, their event history, operators, offers, outcomes,
-- notices and the instruction outbox to the platform.

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
create table operators (
    account_id        uuid primary key references accounts (id),
    team              text not null check (team in ('main', 'cover')),
    status            text not null check (status in ('available', 'paused', 'wrap_up', 'offline')),
    paused_reason     text,
    -- Who has waited longest for a call gets the next one; kept across brief disconnections.
    idle_since        timestamptz not null,
    status_changed_at timestamptz not null,
    -- Null while at least one hub connection is open; set when the last one closes.
    disconnected_at   timestamptz,
    last_seen_at      timestamptz not null,
    constraint paused_has_reason check (status <> 'paused' or paused_reason is not null)
);
create index operators_available on operators (idle_since) where status = 'available' and disconnected_at is null;

-- A call's current state. The event history is in call_events.
create table calls (
    id                uuid primary key,
    platform_call_id  text not null unique,
    caller_number     text not null,
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
    constraint offered_has_operator check (state <> 'offered' or (offered_to is not null and offer_expires_at is not null)),
    constraint connected_has_operator check (state <> 'connected' or operator_id is not null)
);
-- The queue order: priority, then time waited.
create index calls_queue on calls (priority desc, queued_at, id) where state = 'queued';
create index calls_waiting on calls (priority desc, queued_at, id) where state in ('queued', 'offered');
-- An operator has at most one offer and at most one call at a time: the database guarantees it.
create unique index calls_one_offer_per_operator on calls (offered_to) where state = 'offered';
create unique index calls_one_call_per_operator on calls (operator_id) where state = 'connected';
create index calls_offer_expiry on calls (offer_expires_at) where state = 'offered';
create index calls_queued_today on calls (queued_at);

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
create table callbacks (
    id             uuid primary key,
    call_id        uuid not null unique references calls (id),
    unit_id        text not null,
    unit_name      text not null,
    caller_number  text not null,
    caller_name    text,
    window_start   timestamptz not null,
    window_end     timestamptz not null,
    note           text,
    booked_by      uuid not null references accounts (id),
    booked_at      timestamptz not null,
    constraint window_order check (window_end > window_start)
);

create table messages (
    id               uuid primary key,
    call_id          uuid not null unique references calls (id),
    recipient_kind   text not null check (recipient_kind in ('person', 'unit')),
    recipient_id     text,
    recipient_name   text not null,
    recipient_email  text not null,
    caller_name      text,
    caller_number    text not null,
    text             text not null,
    taken_by         uuid not null references accounts (id),
    taken_at         timestamptz not null,
    sent_at          timestamptz,
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null,
    last_error       text
);
create index messages_unsent on messages (next_attempt_at) where sent_at is null;

create table fault_reports (
    id                uuid primary key,
    call_id           uuid not null unique references calls (id),
    municipality_code text not null references municipalities (code),
    what              text not null,
    location          text not null,
    contact_name      text,
    contact_number    text not null,
    registered_by     uuid not null references accounts (id),
    registered_at     timestamptz not null
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
    constraint expiry_after_publication check (expires_at > published_at)
);
create index notices_current on notices (expires_at) where withdrawn_at is null;
