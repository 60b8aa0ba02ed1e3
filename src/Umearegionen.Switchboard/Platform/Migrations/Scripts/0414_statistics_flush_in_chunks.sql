-- statistics_flush adds at most max_facts pending facts per call (the service calls it again while a
-- call returns a full chunk), so a large backlog never runs into a statement timeout.
drop function statistics_flush();

create function statistics_flush(max_facts integer default 5000) returns integer language plpgsql as $$
declare
    ids uuid[];
begin
    perform pg_advisory_xact_lock(7415001);
    with taken as (
        delete from call_facts_pending
        where call_id in (select call_id from call_facts_pending limit max_facts)
        returning call_id
    )
    select array_agg(call_id) into ids from taken;
    if ids is null then
        return 0;
    end if;
    perform statistics_apply(f, 1)
    from (select * from call_facts where call_id = any (ids) order by local_date, municipality_code, call_id) f;
    return cardinality(ids);
end $$;
