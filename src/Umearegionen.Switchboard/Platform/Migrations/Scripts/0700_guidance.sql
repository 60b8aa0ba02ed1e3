-- Guidance to e-services (docs/guidance.md): a link to an e-service or an answer that an operator sends
-- the caller by SMS or e-mail during a call. The table is the outbox: a row is stored with the call's
-- link_sent event and delivered afterwards by the leader (Guidance/GuidanceSender.cs).
create table guidance_sends (
    id                       uuid primary key,
    call_id                  uuid not null references calls (id),
    sent_by                  uuid not null references accounts (id),
    channel                  text not null check (channel in ('sms', 'email')),
    -- The SMS number (E.164, +467...) or the e-mail address; personal data (docs/personal-data.md), null once removed.
    recipient                text,
    -- What was sent: an answer, or one e-service of a unit.
    answer_id                uuid,
    unit_id                  uuid,
    e_service                text,
    -- The answer's question or the e-service's name, and the link, as sent (the directory may change later).
    title                    text not null,
    link                     text,
    -- The SMS text or the e-mail body.
    text                     text not null,
    status                   text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
    attempts                 integer not null default 0,
    next_attempt_at          timestamptz not null,
    -- The last failure, in words for the operator (a gateway's status and reason, or an SMTP error).
    last_error               text,
    created_at               timestamptz not null,
    sent_at                  timestamptz,
    failed_at                timestamptz,
    personal_data_removed_at timestamptz,
    constraint guidance_sends_what check ((answer_id is not null) <> (unit_id is not null and e_service is not null))
);
-- The leader's sender reads the rows due; the call panel reads a call's rows.
create index guidance_sends_due on guidance_sends (next_attempt_at) where status = 'queued';
create index guidance_sends_call on guidance_sends (call_id, created_at);
-- Register extracts and erasure find an SMS number by it (docs/personal-data.md).
create index guidance_sends_recipient on guidance_sends (recipient) where recipient is not null;

-- The retention run counts guidance sends whose recipient it removed.
alter table retention_runs add column guidance_sends integer not null default 0;
