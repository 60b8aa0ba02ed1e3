-- Every word of a new search row joins the vocabulary (directory_words) that misspelt query words
-- are matched against.
create or replace function directory_search_words() returns trigger
    language plpgsql as $$
begin
    insert into directory_words (word)
    select w from unnest(tsvector_to_array(new.words)) as w
    on conflict do nothing;
    return new;
end
$$;

create or replace trigger directory_search_words after insert on directory_search
    for each row execute function directory_search_words();
