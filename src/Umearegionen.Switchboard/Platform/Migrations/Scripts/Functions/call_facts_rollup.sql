-- A fact made or changed outside the flush reaches the rollups through its pending row (docs/decisions/0013).
-- A new fact notes itself as pending, unless the flush made it (statistics.flushing on in the flush's
-- transaction): the flush adds those itself at once (statistics_flush). A change to a fact locks only its own
-- pending row: if the fact is still pending, the flush applies it as it is after the change (a flush that has
-- already taken the row waits for this change to commit, then reads the fact in its next statement); if the
-- fact has been added, the change is applied at once (-old, +new), which adds up to the same whatever the order.
create or replace function call_facts_rollup() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        if current_setting('statistics.flushing', true) is distinct from 'on' then
            insert into call_facts_pending (call_id) values (new.call_id) on conflict do nothing;
        end if;
        return null;
    end if;
    perform 1 from call_facts_pending where call_id = old.call_id for update;
    if found then
        if tg_op = 'DELETE' then
            delete from call_facts_pending where call_id = old.call_id;
        end if;
        return null;
    end if;
    perform statistics_add(array[old], -1);
    if tg_op = 'UPDATE' then
        perform statistics_add(array[new], 1);
    end if;
    return null;
end $$;

create or replace trigger call_facts_rollup after insert or update or delete on call_facts
    for each row execute function call_facts_rollup();
