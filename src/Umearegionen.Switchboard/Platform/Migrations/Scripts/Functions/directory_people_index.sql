-- A person's search row, rewritten at every change.
create or replace function directory_people_index() returns trigger
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

create or replace trigger directory_people_index after insert or update or delete on directory_people
    for each row execute function directory_people_index();
