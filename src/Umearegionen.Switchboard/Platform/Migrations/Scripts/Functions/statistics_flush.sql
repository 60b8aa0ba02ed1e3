-- The statistics flush (Statistics/RollupFlush.cs; docs/decisions/0013), one at a time under
-- advisory lock 7415001: makes the facts of at most max_facts due calls and adds them to the rollups
-- at once, then rolls up at most max_facts facts still pending (made or changed outside the flush).
-- Returns the larger of the two counts, so the service calls it again while either was a full chunk (a
-- large backlog never runs into a statement timeout).
--
-- The facts made here note no pending row (call_facts_rollup skips it while statistics.flushing is on
-- in this transaction): writing and deleting a queue row per call in the same transaction was WAL and a
-- dead index entry per call for nothing (docs/call-cost.md, P5). A due call whose fact was made earlier
-- by a change from outside (a bounce-back, a callback's follow-up ...) is added here if its pending row
-- is still there, and left alone if a roll-up has added it already.
create or replace function statistics_flush(max_facts integer default 5000) returns integer language plpgsql as $$
declare
    ids uuid[];
    existing uuid[];
    facts call_facts[];
    rolled integer;
begin
    perform pg_advisory_xact_lock(7415001);
    with taken as (
        delete from call_facts_due
        where call_id in (select call_id from call_facts_due limit max_facts)
        returning call_id
    )
    select array_agg(call_id) into ids from taken;
    if ids is not null then
        select coalesce(array_agg(call_id), '{}') into existing from call_facts where call_id = any (ids);
        perform set_config('statistics.flushing', 'on', true);
        perform statistics_make_facts(ids);
        perform set_config('statistics.flushing', '', true);
        with pending as (
            delete from call_facts_pending where call_id = any (ids) returning call_id
        )
        select array_agg(f) into facts from call_facts f
        where f.call_id = any (ids) and (f.call_id <> all (existing) or f.call_id in (select call_id from pending));
        perform statistics_add(facts, 1);
    end if;
    rolled := statistics_roll_up(max_facts);
    return greatest(coalesce(cardinality(ids), 0), rolled);
end $$;
