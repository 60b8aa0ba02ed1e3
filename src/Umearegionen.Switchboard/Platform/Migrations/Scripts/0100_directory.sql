-- The shared directory: organisational units (a tree per municipality) and people, each kept by
-- its own municipality, one search table that the operators' search reads, and the municipalities'
-- populations per year. The search rows are written by triggers (Functions/directory_*.sql,
-- Functions/answers_index.sql).

create extension if not exists pg_trgm;
create extension if not exists unaccent;

create table directory_units (
    id                  uuid primary key,
    municipality_code   text not null references municipalities (code),
    parent_id           uuid references directory_units (id),
    -- The municipality's own key for the unit (CSV import links rows by it); unique per municipality.
    external_key        text,
    level               text not null check (level in ('administration', 'department', 'unit')),
    name                text not null,
    phone               text,
    email               text,
    visiting_address    text,
    topics              text[] not null default '{}',
    -- [{ "name": ..., "url": ... }]
    e_services          jsonb not null default '[]',
    when_closed_kind    text not null default 'none'
                        check (when_closed_kind in ('none', 'on-call', 'e-service', 'callback', 'message')),
    when_closed_phone   text,
    when_closed_url     text,
    when_closed_text    text,
    reviewed_at         timestamptz not null,
    version             integer not null default 1,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    constraint unit_not_own_parent check (parent_id is null or parent_id <> id)
);
create index directory_units_municipality on directory_units (municipality_code, name);
create index directory_units_parent on directory_units (parent_id);
create unique index directory_units_external_key on directory_units (municipality_code, external_key)
    where external_key is not null;

create table directory_people (
    id                  uuid primary key,
    municipality_code   text not null references municipalities (code),
    unit_id             uuid not null references directory_units (id),
    external_key        text,
    name                text not null,
    title               text,
    phone               text,
    email               text,
    -- Referral ("hänvisning"): away until a time, why, and whom to refer callers to meanwhile.
    referral_until      timestamptz,
    referral_reason     text,
    referral_to         text,
    referral_phone      text,
    reviewed_at         timestamptz not null,
    version             integer not null default 1,
    created_at          timestamptz not null,
    updated_at          timestamptz not null
);
create index directory_people_unit on directory_people (unit_id);
create index directory_people_municipality on directory_people (municipality_code, name);
create unique index directory_people_external_key on directory_people (municipality_code, external_key)
    where external_key is not null;

-- Overdue reviews are listed per municipality, oldest first.
create index directory_units_review on directory_units (municipality_code, reviewed_at);
create index directory_people_review on directory_people (municipality_code, reviewed_at);

-- One row per searchable thing (a unit, a person, one topic, one e-service, an answer), kept up to
-- date by triggers in the same transaction as the change, so search is one indexed query.
--   norm:  lower-cased, accents removed (å/ä → a, ö → o), for operators who type "vannas" or
--          "snorojning" and for the final similarity ranking;
--   words: the words of norm and of the municipality's name, for typo-tolerant matching through
--          directory_words;
--   tsv:   Swedish full-text vector of the original text, for word forms ("bygglovet" → bygglov).
-- An answer's row (docs/answers.md) has no municipality when the answer is shared, the unit it
-- links to first (if any), and the answer's validity copied, so the search offers only answers
-- valid today.
create table directory_search (
    id                bigint generated always as identity primary key,
    kind              text not null check (kind in ('unit', 'person', 'topic', 'e-service', 'answer')),
    entity_id         uuid not null,
    unit_id           uuid,
    municipality_code text,
    title             text not null,
    detail            text,
    norm              text not null,
    words             tsvector not null,
    tsv               tsvector not null,
    valid_from        date,
    valid_to          date
);
create index directory_search_entity on directory_search (entity_id);
create index directory_search_words on directory_search using gin (words);
create index directory_search_tsv on directory_search using gin (tsv);

-- Every distinct word of the directory, with a trigram index: a misspelt query word is matched
-- against this small vocabulary (a few thousand words) instead of against every row, and the
-- words it may have meant are then looked up in directory_search.words. Words are never removed;
-- a word nobody uses any more only costs a row.
create table directory_words (
    word text primary key
);
create index directory_words_trigrams on directory_words using gin (word gin_trgm_ops);

-- Populations per municipality and year, with the source's reference date, for the cost key's
-- per-inhabitant part (issue 26). SCB publishes each municipality's population yearly: as of
-- 31 December (Folkmängd) and as of 1 November (the figure the municipal equalisation system uses);
-- reference_date says which, and must lie in the year. Administrators keep them through
-- PUT /api/directory/populations/{year}; the cost split uses, per municipality, the latest year
-- whose reference date is on or before the period's end (else the earliest year it has).
create table municipality_populations (
    municipality_code text not null references municipalities (code),
    year              integer not null check (year between 1900 and 2100),
    population        integer not null check (population between 0 and 10000000),
    reference_date    date not null check (extract(year from reference_date)::int = year),
    source            text not null,
    seed              boolean not null default false,
    updated_at        timestamptz not null default now(),
    primary key (municipality_code, year)
);

-- The figures the switchboard started with (municipalities.population, rounded to hundreds, close to
-- SCB's 31 December 2023 figures) become 2023's, marked as the seed's so that no one takes them for SCB's.
insert into municipality_populations (municipality_code, year, population, reference_date, source, seed)
select code, 2023, population, date '2023-12-31', 'Seed: the switchboard''s starting figures, rounded to hundreds (not SCB''s exact figures)', true
from municipalities;
