-- Platform: the member municipalities, the audit trail and the service's nodes. Every feature uses them.
-- Functions, triggers and views are not here: they live in Functions/ (README, "Migrations").

create table municipalities (
    code                  text primary key check (code ~ '^[0-9]{4}$'),
    name                  text not null unique,
    main_number           text not null,
    population            integer not null check (population >= 0),
    served_by_switchboard boolean not null default false,
    version               integer not null default 1,
    updated_at            timestamptz not null default now()
);

-- Umeåregionen's members. Which of them the switchboard serves is data (served_by_switchboard),
-- not code: Örnsköldsvik is a member but not served today.
insert into municipalities (code, name, main_number, population, served_by_switchboard) values
    ('2403', 'Bjurholm',     '+4693214000',  2400, true),
    ('2401', 'Nordmaling',   '+4693014000',  7100, true),
    ('2409', 'Robertsfors',  '+4693414000',  6700, true),
    ('2480', 'Umeå',         '+4690161000', 131000, true),
    ('2404', 'Vindeln',      '+4693314000',  5400, true),
    ('2460', 'Vännäs',       '+4693514000',  8900, true),
    ('2284', 'Örnsköldsvik', '+4666088000', 56000, false);

-- Every change to owned data is recorded: who, when, what it was before and after.
create table audit_log (
    id                bigint generated always as identity primary key,
    entity_type       text not null,
    entity_id         text not null,
    municipality_code text references municipalities (code),
    action            text not null check (action in ('created', 'updated', 'deleted', 'reviewed', 'imported')),
    actor_id          text not null,
    actor_name        text not null,
    occurred_at       timestamptz not null,
    before            jsonb,
    after             jsonb,
    -- Set when the personal data in before/after (a directory person's referral reason, the note
    -- copied into a callback follow-up's entries) was removed (docs/personal-data.md).
    personal_data_removed_at timestamptz
);
create index audit_log_entity on audit_log (entity_type, entity_id, occurred_at);
create index audit_log_municipality on audit_log (municipality_code, occurred_at);

-- The service's nodes (docs/decisions/0001, 0004). A node registers a row at start and
-- holds a session-level advisory lock on its id, (7401002, id), on a connection of its own for as
-- long as it runs. A node is alive exactly while PostgreSQL holds that lock: when its process dies,
-- or its connection is cut, PostgreSQL releases the lock, and the leader's sweeper removes the row
-- and what the node held (operator_connections). No clocks are compared to decide it.
create table cluster_nodes (
    id         bigint generated always as identity primary key,
    name       text not null,
    started_at timestamptz not null
);
