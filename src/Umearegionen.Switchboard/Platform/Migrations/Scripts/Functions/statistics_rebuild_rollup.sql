-- Rebuilds the rollups from scratch (after a bulk load, or to check them): every fact counts,
-- pending or not, so what is pending is cleared first, under the flush's lock.
create or replace function statistics_rebuild_rollup() returns void language sql as $$
    select pg_advisory_xact_lock(7415001);
    delete from call_facts_pending;
    select statistics_recount_rollup();
$$;
