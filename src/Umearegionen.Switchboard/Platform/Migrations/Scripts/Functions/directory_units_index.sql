-- A unit's search rows: the unit, one per topic, one per e-service; rewritten at every change.
create or replace function directory_units_index() returns trigger
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

create or replace trigger directory_units_index after insert or update or delete on directory_units
    for each row execute function directory_units_index();
