-- The statistics flush (Statistics/RollupFlush.cs; docs/decisions/0013), one at a time under
-- advisory lock 7415001: makes the facts of at most max_facts due calls, then rolls up at most
-- max_facts pending facts. Returns the larger of the two counts, so the service calls it again while
-- either was a full chunk (a large backlog never runs into a statement timeout).
create or replace function statistics_flush(max_facts integer default 5000) returns integer language plpgsql as $$
declare
    ids uuid[];
    rolled integer;
begin
    perform pg_advisory_xact_lock(7415001);
    with taken as (
        delete from call_facts_due
        where call_id in (select call_id from call_facts_due limit max_facts)
        returning call_id
    )
    select array_agg(call_id) into ids from taken;
    -- A made fact notes itself as pending (call_facts_rollup), so the roll-up below includes it.
    perform statistics_make_facts(ids);
    rolled := statistics_roll_up(max_facts);
    return greatest(coalesce(cardinality(ids), 0), rolled);
end $$;
