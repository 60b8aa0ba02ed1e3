-- An answer's search row (docs/answers.md): a shared answer's row has no municipality; the row has
-- the unit the answer links to first, if any, and the answer's validity, so the search offers only
-- answers valid today.
create or replace function answers_index() returns trigger
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

create or replace trigger answers_index after insert or update or delete on answers
    for each row execute function answers_index();
