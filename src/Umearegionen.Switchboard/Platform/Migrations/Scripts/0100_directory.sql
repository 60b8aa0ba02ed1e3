-- The shared directory: organisational units (a tree per municipality) and people, each kept by
-- its own municipality, plus one search table that the operators' search reads.

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

-- One row per searchable thing (a unit, a person, one topic, one e-service), kept up to date by
-- the triggers below in the same transaction as the change, so search is one indexed query.
--   norm:  lower-cased, accents removed (å/ä → a, ö → o), for operators who type "vannas" or
--          "snorojning" and for the final similarity ranking;
--   words: the words of norm and of the municipality's name, for typo-tolerant matching through
--          directory_words;
--   tsv:   Swedish full-text vector of the original text, for word forms ("bygglovet" → bygglov).
create table directory_search (
    id                bigint generated always as identity primary key,
    kind              text not null check (kind in ('unit', 'person', 'topic', 'e-service')),
    entity_id         uuid not null,
    unit_id           uuid not null,
    municipality_code text not null,
    title             text not null,
    detail            text,
    norm              text not null,
    words             tsvector not null,
    tsv               tsvector not null
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

create function directory_search_words() returns trigger
    language plpgsql as $$
begin
    insert into directory_words (word)
    select w from unnest(tsvector_to_array(new.words)) as w
    on conflict do nothing;
    return new;
end
$$;

create trigger directory_search_words after insert on directory_search
    for each row execute function directory_search_words();

create function directory_norm(value text) returns text
    language sql stable
    return lower(unaccent('unaccent'::regdictionary, coalesce(value, '')));

-- The municipality's name, with and without å/ä/ö, so "bygglov vännäs" and "bygglov vannas" both
-- narrow to Vännäs; weighted lowest so it never outranks the entry's own words.
create function directory_place(code text) returns tsvector
    language sql stable
    return (select setweight(to_tsvector('simple', name || ' ' || directory_norm(name)), 'D')
            from municipalities where municipalities.code = directory_place.code);

create function directory_word_vector(value text, code text) returns tsvector
    language sql stable
    return to_tsvector('simple', directory_norm(value) || ' ' ||
                       (select directory_norm(name) from municipalities where municipalities.code = directory_word_vector.code));

create function directory_units_index() returns trigger
    language plpgsql as $$
declare
    place tsvector;
begin
    delete from directory_search where entity_id = coalesce(new.id, old.id) and kind <> 'person';
    if tg_op = 'DELETE' then
        return old;
    end if;
    place := directory_place(new.municipality_code);
    insert into directory_search (kind, entity_id, unit_id, municipality_code, title, detail, norm, words, tsv)
    select 'unit', new.id, new.id, new.municipality_code, new.name, null,
           directory_norm(new.name), directory_word_vector(new.name, new.municipality_code), setweight(to_tsvector('swedish', new.name), 'A') || place
    union all
    select 'topic', new.id, new.id, new.municipality_code, t.topic, new.name,
           directory_norm(t.topic), directory_word_vector(t.topic, new.municipality_code), setweight(to_tsvector('swedish', t.topic), 'A') || place
    from unnest(new.topics) as t (topic)
    union all
    select 'e-service', new.id, new.id, new.municipality_code, e ->> 'name', e ->> 'url',
           directory_norm(e ->> 'name'), directory_word_vector(e ->> 'name', new.municipality_code), setweight(to_tsvector('swedish', e ->> 'name'), 'A') || place
    from jsonb_array_elements(new.e_services) as e;
    return new;
end
$$;

create trigger directory_units_index after insert or update or delete on directory_units
    for each row execute function directory_units_index();

create function directory_people_index() returns trigger
    language plpgsql as $$
begin
    delete from directory_search where entity_id = coalesce(new.id, old.id) and kind = 'person';
    if tg_op = 'DELETE' then
        return old;
    end if;
    -- A person is found by name and by title ("bygglovshandläggare").
    insert into directory_search (kind, entity_id, unit_id, municipality_code, title, detail, norm, words, tsv)
    values ('person', new.id, new.unit_id, new.municipality_code, new.name, new.title,
            directory_norm(new.name || ' ' || coalesce(new.title, '')),
            directory_word_vector(new.name || ' ' || coalesce(new.title, ''), new.municipality_code),
            setweight(to_tsvector('simple', new.name), 'A') || setweight(to_tsvector('swedish', coalesce(new.title, '')), 'B')
            || directory_place(new.municipality_code));
    return new;
end
$$;

create trigger directory_people_index after insert or update or delete on directory_people
    for each row execute function directory_people_index();
