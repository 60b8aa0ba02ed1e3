-- Opening hours. The rules are stored as jsonb in the shape of the domain records
-- (OpeningHours/Domain), so what an editor sends, what is stored and what the audit trail shows
-- are the same document. What to do when a unit is closed is NOT stored here: it is the
-- directory unit's when_closed_* columns, so it is kept in one place.

-- A municipality's treatment of holidays, eves and days before holidays. No row: the default
-- policy (closed on holidays and eves, closing at 15:00 the day before a holiday).
create table opening_hours_holiday_policies (
    municipality_code text primary key references municipalities (code),
    policy            jsonb not null,
    version           integer not null default 1,
    updated_at        timestamptz not null,
    updated_by_id     text not null,
    updated_by        text not null
);

-- A unit's own hours. No row: the unit's opening status is unknown (never assumed open).
create table opening_hours_units (
    unit_id           uuid primary key references directory_units (id) on delete cascade,
    weekly            jsonb not null,
    exceptions        jsonb not null default '[]',
    -- Deviations from the municipality's holiday policy; null inherits it entirely.
    holiday_override  jsonb,
    version           integer not null default 1,
    reviewed_at       timestamptz not null,
    updated_at        timestamptz not null,
    updated_by_id     text not null,
    updated_by        text not null
);

-- The switchboard's own hours: one row, edited by administrators. The switchboard is no
-- directory unit, so its full holiday policy and closed action live here.
create table opening_hours_switchboard (
    id                boolean primary key default true check (id),
    weekly            jsonb not null,
    exceptions        jsonb not null default '[]',
    holidays          jsonb not null,
    when_closed       jsonb not null,
    version           integer not null default 1,
    reviewed_at       timestamptz not null,
    updated_at        timestamptz not null,
    updated_by_id     text not null,
    updated_by        text not null
);
