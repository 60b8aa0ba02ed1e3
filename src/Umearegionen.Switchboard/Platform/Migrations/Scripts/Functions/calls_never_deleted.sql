-- Calls are never deleted (docs/decisions/0020): their events, instructions and queue rows have no
-- foreign key to them (0340_foreign_keys_off_the_call_path.sql), so a deleted call would leave them
-- behind. Personal data is removed in place (docs/decisions/0006). Fires per statement and only on a
-- delete, so the call's path pays nothing for it. TRUNCATE is not refused (the statistics benchmark
-- rebuilds calls and call_events together).
create or replace function calls_never_deleted() returns trigger language plpgsql as $$
begin
    raise exception 'calls are never deleted: their events and instructions keep no foreign key to them (docs/decisions/0020)'
        using errcode = 'restrict_violation';
end $$;
create or replace trigger calls_never_deleted before delete on calls
    for each statement execute function calls_never_deleted();
