-- The rollups leave the call's own transaction. Measured under load (docs/decisions/0013): with every
-- ended call updating a dozen shared rollup rows (today's row of its municipality, its hour, its topic
-- ...) inside the transaction that ends the call, concurrent endings queued on those rows' locks and
-- ending a call took 7 ms at 200 calls/s. Now a new fact only notes itself as pending; the service
-- applies pending facts in batches, one writer at a time (statistics_flush), every few seconds and
-- before every statistics read, so what the API answers is as exact as before.

create table call_facts_pending (call_id uuid primary key);

-- A fact still pending is applied as it is when flushed, so changes to it need no rollup work.
-- Otherwise a change is applied at once, as before. (0413 replaces the shared advisory lock below with
-- a lock on the fact's own pending row.)
create or replace function call_facts_rollup() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into call_facts_pending (call_id) values (new.call_id) on conflict do nothing;
        return null;
    end if;
    perform pg_advisory_xact_lock_shared(7415001);
    if exists (select 1 from call_facts_pending where call_id = old.call_id) then
        if tg_op = 'DELETE' then
            delete from call_facts_pending where call_id = old.call_id;
        end if;
        return null;
    end if;
    perform statistics_apply(old, -1);
    if tg_op = 'UPDATE' then
        perform statistics_apply(new, 1);
    end if;
    return null;
end $$;

-- Applies every pending fact; returns how many. One flush at a time; the facts are read after the
-- pending rows are taken (a second statement, so it sees every change committed before).
create or replace function statistics_flush() returns integer language plpgsql as $$
declare
    ids uuid[];
begin
    perform pg_advisory_xact_lock(7415001);
    with taken as (delete from call_facts_pending returning call_id)
    select array_agg(call_id) into ids from taken;
    if ids is null then
        return 0;
    end if;
    perform statistics_apply(f, 1)
    from (select * from call_facts where call_id = any (ids) order by local_date, municipality_code, call_id) f;
    return cardinality(ids);
end $$;

-- A rebuild counts every fact, pending or not: the rebuild of 0410 becomes the inner step, and the
-- function callers use clears what is pending first, under the flush's lock.
alter function statistics_rebuild_rollup() rename to statistics_recount_rollup;

create function statistics_rebuild_rollup() returns void language sql as $$
    select pg_advisory_xact_lock(7415001);
    delete from call_facts_pending;
    select statistics_recount_rollup();
$$;
