-- Personal data under control (docs/personal-data.md, docs/decisions/0006): citizens' numbers, names
-- and free text are removed when their retention time has passed (the daily retention job) or when an
-- administrator erases them. The rows stay, because statistics and follow-ups count them; the personal
-- columns become null, and personal_data_removed_at says when, so a reader can say "removed on …".
-- Null in a personal column means "removed" (or never given); nothing else marks it.

-- Calls: the caller's number. The call's events and the platform's instructions are cleaned with the
-- call (the note of an answered call, and any value equal to the caller's number); the call's
-- personal_data_removed_at stands for them.
alter table calls alter column caller_number drop not null;
alter table calls add column personal_data_removed_at timestamptz;
-- Like every column of calls, sampled lightly by ANALYZE (0303).
alter table calls alter column personal_data_removed_at set statistics 30;

-- Callbacks: the number to call, the caller's name and the note; with them the follow-up's note and
-- the follow-up's entries in audit_log, which copy that note.
alter table callbacks alter column caller_number drop not null;
alter table callbacks add column personal_data_removed_at timestamptz;

-- Messages: the caller's name, number and the message text (and the last SMTP error, which may quote it).
-- The recipient (a member of staff or a unit) stays: statistics count messages per unit.
alter table messages alter column caller_number drop not null;
alter table messages alter column text drop not null;
alter table messages add column personal_data_removed_at timestamptz;

-- Fault reports: the contact's name and number, what is wrong and where (free text that may point at a home).
alter table fault_reports alter column what drop not null;
alter table fault_reports alter column location drop not null;
alter table fault_reports alter column contact_number drop not null;
alter table fault_reports add column personal_data_removed_at timestamptz;

-- The audit trail: a directory person's referral reason (e.g. sick leave) in before/after, and the
-- note copied into a callback follow-up's entries.
alter table audit_log add column personal_data_removed_at timestamptz;

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
