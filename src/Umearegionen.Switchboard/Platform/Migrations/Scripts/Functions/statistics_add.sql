-- Adds facts to every rollup (p_sign 1) or takes them out (p_sign -1): the facts' contributions summed per
-- rollup key, from the per-fact functions (call_fact_daily, call_fact_slices, call_fact_slice_keys), then one
-- upsert per rollup table. The one definition of the rollups' upserts: the flush adds the facts it has just
-- made and the pending ones (statistics_flush, statistics_roll_up); a change to a fact already added takes its
-- old contribution out and puts the new one in (call_facts_rollup). The sums are the same in any order.
--
-- Row locks are taken in one fixed order, so concurrent adds cannot deadlock: the tables in the order below,
-- the rows of each in key order. Measured under load (docs/decisions/0013): one fact at a time made ~15
-- single-row upserts per fact, many to the same rows, and a flush of ~400 facts took 160 ms.
create or replace function statistics_add(facts call_facts[], p_sign integer) returns void language plpgsql as $$
begin
    if facts is null or cardinality(facts) = 0 then
        return;
    end if;

    insert into call_daily as t (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                 answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                 fault_reports, bounce_backs, closed_destinations)
    select d.local_date, d.municipality_code, p_sign * sum(d.offered)::int, p_sign * sum(d.answered)::int, p_sign * sum(d.abandoned)::int,
           p_sign * sum(d.answered_wait_sum)::bigint, p_sign * sum(d.handle_sum)::bigint, p_sign * sum(d.answered_direct)::int,
           p_sign * sum(d.transferred)::int, p_sign * sum(d.callbacks)::int, p_sign * sum(d.callbacks_kept)::int,
           p_sign * sum(d.callbacks_missed)::int, p_sign * sum(d.messages)::int, p_sign * sum(d.fault_reports)::int,
           p_sign * sum(d.bounce_backs)::int, p_sign * sum(d.closed_destinations)::int
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
    select s.dimension, s.local_date, s.municipality_code, s.key, p_sign * sum(s.offered)::int, p_sign * sum(s.answered)::int,
           p_sign * sum(s.abandoned)::int, p_sign * sum(s.answered_wait_sum)::bigint, p_sign * sum(s.handle_sum)::bigint,
           p_sign * sum(s.answered_direct)::int, p_sign * sum(s.transferred)::int, p_sign * sum(s.callbacks)::int,
           p_sign * sum(s.callbacks_kept)::int, p_sign * sum(s.callbacks_missed)::int, p_sign * sum(s.messages)::int,
           p_sign * sum(s.fault_reports)::int, p_sign * sum(s.bounce_backs)::int, p_sign * sum(s.closed_destinations)::int
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

    -- The wait histograms count answered and abandoned calls only.
    insert into call_daily_waits as w (local_date, municipality_code, answered, wait_seconds, calls)
    select f.local_date, coalesce(f.municipality_code, ''), f.answered, least(f.wait_seconds, 3600), p_sign * count(*)::int
    from unnest(facts) f
    where f.answered or f.outcome = 'abandoned'
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (local_date, municipality_code, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into call_slice_waits as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
    select k.dimension, f.local_date, coalesce(f.municipality_code, ''), k.key, f.answered, least(f.wait_seconds, 3600),
           p_sign * count(*)::int
    from unnest(facts) f, lateral call_fact_slice_keys(f) k
    where f.answered or f.outcome = 'abandoned'
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into call_slice_waits_monthly as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
    select k.dimension, date_trunc('month', f.local_date)::date, coalesce(f.municipality_code, ''), k.key, f.answered,
           least(f.wait_seconds, 3600), p_sign * count(*)::int
    from unnest(facts) f, lateral call_fact_slice_keys(f) k
    where (f.answered or f.outcome = 'abandoned') and position(',' in k.dimension) = 0 -- pairs keep daily rows only
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;

    insert into operator_daily as o (local_date, operator_id, answered, handle_sum)
    select f.local_date, f.operator_id, p_sign * count(*)::int, p_sign * sum(f.handle_seconds + f.wrap_up_seconds)::bigint
    from unnest(facts) f
    where f.answered and f.operator_id is not null
    group by 1, 2
    order by 1, 2
    on conflict (local_date, operator_id) do update set answered = o.answered + excluded.answered,
                                                        handle_sum = o.handle_sum + excluded.handle_sum;

    -- The answers' figures: answered calls per day, municipality, menu topic and answer ('' without one).
    insert into call_answer_daily as a (local_date, municipality_code, topic, answer_id, answered, resolved, links_sent,
                                        transferred_despite)
    select f.local_date, coalesce(f.municipality_code, ''), coalesce(f.topic, ''), coalesce(f.answer_id::text, ''),
           p_sign * count(*)::int, p_sign * count(*) filter (where f.outcome = 'answered')::int,
           p_sign * count(*) filter (where f.answer_id is not null and f.answer_link_sent)::int,
           p_sign * count(*) filter (where f.transferred_despite_answers)::int
    from unnest(facts) f
    where f.answered
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (local_date, municipality_code, topic, answer_id) do update set
        answered = a.answered + excluded.answered, resolved = a.resolved + excluded.resolved,
        links_sent = a.links_sent + excluded.links_sent, transferred_despite = a.transferred_despite + excluded.transferred_despite;
end $$;
