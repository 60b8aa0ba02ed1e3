-- Synonyms for the operators' search (docs/directory.md, "Synonyms"): a word callers use ("snöplogning",
-- "socialtjänst") and what it means in the directory ("snöröjning", "individ- och familjeomsorg").
-- A query word that matches the synonym's word also finds what its meaning finds, within the
-- synonym's municipality; a synonym with no municipality is shared by all and kept by administrators.
create table directory_synonyms (
    id                uuid primary key,
    -- null: shared by every municipality the switchboard serves.
    municipality_code text references municipalities (code),
    word              text not null,
    means             text not null,
    -- directory_norm(word): lower-case, no accents, as query words are compared.
    word_norm         text not null,
    -- The meaning's accent-free words as prefixes, AND-ed: a piece of a tsquery over directory_search.words.
    means_query       text not null,
    created_at        timestamptz not null
);
create unique index directory_synonyms_unique on directory_synonyms (coalesce(municipality_code, ''), word_norm, means_query);
create index directory_synonyms_municipality on directory_synonyms (municipality_code, word_norm);
-- A misspelt query word is compared with the synonyms' words as with the directory's vocabulary.
create index directory_synonyms_trigrams on directory_synonyms using gin (word_norm gin_trgm_ops);

-- Kept suggestion lists (docs/directory.md, "What the service remembers") go when synonyms change:
-- Functions/directory_changed_notify.sql puts its trigger on directory_synonyms too.
