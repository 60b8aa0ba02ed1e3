-- The text of the directory's search rows (0100_directory.sql, directory_search): normalised text,
-- the municipality's name as words, and the words of an entry with its municipality's.

create or replace function directory_norm(value text) returns text
    language sql stable
    return lower(unaccent('unaccent'::regdictionary, coalesce(value, '')));

-- The municipality's name, with and without å/ä/ö, so "bygglov vännäs" and "bygglov vannas" both
-- narrow to Vännäs; weighted lowest so it never outranks the entry's own words.
create or replace function directory_place(code text) returns tsvector
    language sql stable
    return (select setweight(to_tsvector('simple', name || ' ' || directory_norm(name)), 'D')
            from municipalities where municipalities.code = directory_place.code);

create or replace function directory_word_vector(value text, code text) returns tsvector
    language sql stable
    return to_tsvector('simple', directory_norm(value) || ' ' ||
                       (select directory_norm(name) from municipalities where municipalities.code = directory_word_vector.code));
