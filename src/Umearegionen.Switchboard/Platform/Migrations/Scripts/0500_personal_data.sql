-- Personal data under control (docs/personal-data.md, docs/decisions/0006): citizens' numbers, names
-- and free text are removed when their retention time has passed (the daily retention job) or when an
-- administrator erases them. The rows stay, because statistics and follow-ups count them; the personal
-- columns become null, and personal_data_removed_at says when, so a reader can say "removed on …".
-- Null in a personal column means "removed" (or never given); nothing else marks it. Those columns
-- are in their tables' scripts: calls, callbacks, messages, fault_reports (0300_routing.sql) and
-- audit_log (0001_platform.sql).

-- What each retention run did: counts per kind of data, never the data. One run at a time (a
-- session-level advisory lock held by the run); one completed scheduled run per local day.
create table retention_runs (
    id               bigint generated always as identity primary key,
    -- The local day (Europe/Stockholm) the run was for.
    run_date         date not null,
    trigger          text not null check (trigger in ('scheduled', 'manual')),
    -- The node (scheduled) or the administrator (manual) that started it.
    started_by       text not null,
    started_at       timestamptz not null,
    finished_at      timestamptz,
    outcome          text not null check (outcome in ('running', 'completed', 'failed', 'interrupted')),
    -- The retention times applied, as configured when the run started.
    settings         jsonb not null,
    calls            integer not null default 0,
    callbacks        integer not null default 0,
    messages         integer not null default 0,
    fault_reports    integer not null default 0,
    referral_reasons integer not null default 0,
    batches          integer not null default 0,
    -- Why a run failed (an exception's type and message, never data).
    error            text
);
create index retention_runs_recent on retention_runs (started_at desc);
create unique index retention_runs_one_scheduled_per_day on retention_runs (run_date)
    where trigger = 'scheduled' and outcome = 'completed';
