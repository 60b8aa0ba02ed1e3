-- The service keeps in-memory copies of what the directory, opening hours and answers say: units'
-- opening rules and calls' suggested destinations, read at every call an operator takes
-- (docs/directory.md, "What the service remembers"). A copy must go as soon as what it copies
-- changes, whoever changes it: this service, another instance, an import or someone in psql. So every
-- statement that changes one of these tables notifies channel directory_changed with the table's
-- name (Directory/DirectoryChangeFeed.cs). PostgreSQL delivers the notification when the transaction
-- commits (none on rollback) and sends one per transaction and table, however many statements or rows.
create or replace function directory_changed_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('directory_changed', tg_table_name);
    return null;
end $$;

do $$
declare
    t text;
begin
    foreach t in array array['municipalities', 'directory_units', 'directory_people', 'directory_search', 'directory_words',
                             'opening_hours_units', 'opening_hours_holiday_policies', 'opening_hours_switchboard',
                             'answers', 'directory_synonyms']
    loop
        execute format('create or replace trigger %I after insert or update or delete or truncate on %I '
                       'for each statement execute function directory_changed_notify()', t || '_changed', t);
    end loop;
end $$;
