-- The distinct closed units a call was refused, from its events (sorted, so the value is stable).
create or replace function call_closed_units(p_call_id uuid) returns text[] language sql stable as $$
    select coalesce(array_agg(distinct e.data ->> 'unitId' order by e.data ->> 'unitId'), '{}')
    from call_events e
    where e.call_id = p_call_id and e.type = 'destination_closed' and e.data ->> 'unitId' is not null
$$;
