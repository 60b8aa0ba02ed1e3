-- A refusal recorded after the call ended reaches its fact. While the call is still going on there is
-- no fact to change: the fact, made later, reads the refusal from the call's events.
create or replace function call_events_closed_destination() returns trigger language plpgsql as $$
begin
    if not exists (select 1 from calls where id = new.call_id and state in ('completed', 'abandoned')) then
        return null;
    end if;
    perform statistics_make_facts(array[new.call_id]);
    update call_facts set closed_unit_ids = call_closed_units(new.call_id)
    where call_id = new.call_id and not (closed_unit_ids @> array[new.data ->> 'unitId']);
    return null;
exception when others then
    raise warning 'statistics: closed destination not counted for call %: %', new.call_id, sqlerrm;
    return null;
end $$;
create or replace trigger call_events_closed_destination after insert on call_events
    for each row when (new.type = 'destination_closed' and new.data ->> 'unitId' is not null)
    execute function call_events_closed_destination();
