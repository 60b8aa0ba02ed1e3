-- Adds at most max_facts pending facts to the rollups, set-based; returns how many it took. Called by
-- statistics_flush (under the same advisory lock) after it has made the due calls' facts.
--
-- Measured under load (docs/decisions/0013): applying each fact with statistics_apply made ~15
-- single-row upserts per fact, many of them to the same rows (today's row of a municipality, an hour,
-- a topic), and a flush of ~400 facts took 160 ms. Here the taken facts' contributions are summed per
-- rollup key first, from the same per-fact functions (call_fact_daily, call_fact_slices,
-- call_fact_slice_keys), and each rollup gets one upsert: the same sums as statistics_apply(f, 1) for
-- every fact. Row locks are taken in one fixed order: the tables in statistics_apply's order, the
-- rows of each in key order (a change to a fact already added is still applied at once by
-- call_facts_rollup with statistics_apply, one fact's rows at a time).
--
-- The facts are read once, in the statement after the pending rows are taken (a change to a taken
-- fact either committed before the take, or waits on its pending row for this flush to commit and
-- is then applied by the trigger), and every upsert reads that one copy.
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
    if facts is null then
        return cardinality(ids);
    end if;

    insert into call_daily as t (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                 answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                 fault_reports, bounce_backs, closed_destinations)
    select d.local_date, d.municipality_code, sum(d.offered)::int, sum(d.answered)::int, sum(d.abandoned)::int,
           sum(d.answered_wait_sum)::bigint, sum(d.handle_sum)::bigint, sum(d.answered_direct)::int, sum(d.transferred)::int,
           sum(d.callbacks)::int, sum(d.callbacks_kept)::int, sum(d.callbacks_missed)::int, sum(d.messages)::int,
           sum(d.fault_reports)::int, sum(d.bounce_backs)::int, sum(d.closed_destinations)::int
    from unnest(facts) f, lateral call_fact_daily(f) d
    group by d.local_date, d.municipality_code
    order by d.local_date, d.municipality_code
    on conflict (local_date, municipality_code) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    insert into call_slices as t (dimension, local_date, municipality_code, key, offered, answered, abandoned, answered_wait_sum,
                                  handle_sum, answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                  fault_reports, bounce_backs, closed_destinations)
    select s.dimension, s.local_date, s.municipality_code, s.key, sum(s.offered)::int, sum(s.answered)::int,
           sum(s.abandoned)::int, sum(s.answered_wait_sum)::bigint, sum(s.handle_sum)::bigint, sum(s.answered_direct)::int,
           sum(s.transferred)::int, sum(s.callbacks)::int, sum(s.callbacks_kept)::int, sum(s.callbacks_missed)::int,
           sum(s.messages)::int, sum(s.fault_reports)::int, sum(s.bounce_backs)::int, sum(s.closed_destinations)::int
    from unnest(facts) f, lateral call_fact_slices(f) s
    group by s.dimension, s.local_date, s.municipality_code, s.key
    order by s.dimension, s.local_date, s.municipality_code, s.key
    on conflict (dimension, local_date, municipality_code, key) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    -- The wait histograms count answered and abandoned calls only (statistics_apply's condition).
    insert into call_daily_waits as w (local_date, municipality_code, answered, wait_seconds, calls)
    select d.local_date, d.municipality_code, f.answered, least(f.wait_seconds, 3600), count(*)::int
    from unnest(facts) f, lateral call_fact_daily(f) d
    where f.answered or f.outcome = 'abandoned'
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (local_date, municipality_code, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into call_slice_waits as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
    select k.dimension, f.local_date, coalesce(f.municipality_code, ''), k.key, f.answered, least(f.wait_seconds, 3600), count(*)::int
    from unnest(facts) f, lateral call_fact_slice_keys(f) k
    where f.answered or f.outcome = 'abandoned'
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into call_slice_waits_monthly as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
    select k.dimension, date_trunc('month', f.local_date)::date, coalesce(f.municipality_code, ''), k.key, f.answered,
           least(f.wait_seconds, 3600), count(*)::int
    from unnest(facts) f, lateral call_fact_slice_keys(f) k
    where f.answered or f.outcome = 'abandoned'
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into operator_daily as o (local_date, operator_id, answered, handle_sum)
    select f.local_date, f.operator_id, count(*)::int, sum(f.handle_seconds + f.wrap_up_seconds)::bigint
    from unnest(facts) f
    where f.answered and f.operator_id is not null
    group by 1, 2
    order by 1, 2
    on conflict (local_date, operator_id) do update set answered = o.answered + excluded.answered,
                                                        handle_sum = o.handle_sum + excluded.handle_sum;
    return cardinality(ids);
end $$;
