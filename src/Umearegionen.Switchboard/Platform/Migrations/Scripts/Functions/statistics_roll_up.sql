-- Adds at most max_facts pending facts to the rollups (statistics_add); returns how many it took. Called by
-- statistics_flush, under the same advisory lock, after it has made and added the due calls' facts. Pending
-- facts are the ones made or changed outside the flush (call_facts_rollup): a bounce-back, the end of wrap-up,
-- a late refusal, a callback's follow-up.
--
-- The facts are read once, in the statement after the pending rows are taken (a change to a taken fact either
-- committed before the take, or waits on its pending row for this flush to commit and is then applied by the
-- trigger), and statistics_add reads that one copy.
create or replace function statistics_roll_up(max_facts integer default 5000) returns integer language plpgsql as $$
declare
    ids uuid[];
    facts call_facts[];
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
    select array_agg(f) into facts from call_facts f where f.call_id = any (ids);
    perform statistics_add(facts, 1);
    return cardinality(ids);
end $$;
