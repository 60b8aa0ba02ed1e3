-- Answers ("svar"): short articles a municipality's editors keep, which an operator reads out to a
-- caller (docs/answers.md). An answer with no municipality is shared by all the served
-- municipalities and is kept by administrators only. The operators' search finds them beside units
-- and people: one directory_search row per answer (Functions/answers_index.sql). Crisis notices
-- point to answers (notices.answer_ids, 0300_routing.sql).
create table answers (
    id                  uuid primary key,
    -- null: shared by every municipality the switchboard serves.
    municipality_code   text references municipalities (code),
    -- The municipality's own key for the answer (CSV import matches rows by it); unique per municipality.
    external_key        text,
    question            text not null,
    answer              text not null,
    topics              text[] not null default '{}',
    -- Ids of directory units the answer refers to (checked when written; a removed unit's link stays
    -- until the answer is next saved and is then refused, so editors see it).
    unit_ids            uuid[] not null default '{}',
    -- [{ "name": ..., "url": ... }], as a unit's e-services.
    e_services          jsonb not null default '[]',
    -- Local dates (Europe/Stockholm), both inclusive; null means open-ended.
    valid_from          date,
    valid_to            date,
    reviewed_at         timestamptz not null,
    version             integer not null default 1,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    constraint answers_valid_dates check (valid_to is null or valid_from is null or valid_to >= valid_from)
);
create index answers_municipality on answers (municipality_code, question);
create index answers_review on answers (municipality_code, reviewed_at);
create unique index answers_external_key on answers (coalesce(municipality_code, ''), external_key)
    where external_key is not null;
