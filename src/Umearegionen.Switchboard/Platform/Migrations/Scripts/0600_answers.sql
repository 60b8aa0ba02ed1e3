-- Answers ("svar"): short articles a municipality's editors keep, which an operator reads out to a
-- caller (docs/answers.md). An answer with no municipality is shared by all the served
-- municipalities and is kept by administrators only.
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

-- Answers are found by the operators' search beside units and people: one search row per answer.
-- A shared answer's row has no municipality; an answer's row has the unit it links to first, if any.
-- valid_from/valid_to are copied so the search offers only answers valid today.
alter table directory_search drop constraint directory_search_kind_check;
alter table directory_search add constraint directory_search_kind_check
    check (kind in ('unit', 'person', 'topic', 'e-service', 'answer'));
alter table directory_search alter column unit_id drop not null;
alter table directory_search alter column municipality_code drop not null;
alter table directory_search add column valid_from date;
alter table directory_search add column valid_to date;

create function answers_index() returns trigger
    language plpgsql as $$
declare
    topics text;
begin
    delete from directory_search where entity_id = coalesce(new.id, old.id) and kind = 'answer';
    if tg_op = 'DELETE' then
        return old;
    end if;
    topics := array_to_string(new.topics, ' ');
    insert into directory_search (kind, entity_id, unit_id, municipality_code, title, detail, norm, words, tsv, valid_from, valid_to)
    values ('answer', new.id, new.unit_ids[1], new.municipality_code, new.question, new.answer,
            directory_norm(new.question || ' ' || topics),
            coalesce(directory_word_vector(new.question || ' ' || topics, new.municipality_code),
                     to_tsvector('simple', directory_norm(new.question || ' ' || topics))),
            setweight(to_tsvector('swedish', new.question || ' ' || topics), 'A')
            || setweight(to_tsvector('swedish', new.answer), 'C')
            || coalesce(directory_place(new.municipality_code), ''::tsvector),
            new.valid_from, new.valid_to);
    return new;
end
$$;

create trigger answers_index after insert or update or delete on answers
    for each row execute function answers_index();

-- Kept copies of suggestions (docs/directory.md, "What the service remembers") go when answers change.
create trigger answers_changed after insert or update or delete or truncate on answers
    for each statement execute function directory_changed_notify();
