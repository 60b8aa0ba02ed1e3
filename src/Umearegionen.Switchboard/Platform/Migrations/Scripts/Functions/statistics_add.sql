-- Adds facts to every rollup (p_sign 1) or takes them out (p_sign -1): the facts' contributions summed per
-- rollup key, from the per-fact functions (call_fact_daily, call_fact_slices, call_fact_slice_keys), then each
-- key's row of each rollup table added to. The one definition of the rollups' writes: the flush adds the facts it
-- has just made and the pending ones (statistics_flush, statistics_roll_up); a change to a fact already added
-- takes its old contribution out and puts the new one in (call_facts_rollup). The sums are the same in any order.
--
-- Row locks are taken in one fixed order, so concurrent adds cannot deadlock: the tables in the order below,
-- the rows of each in key order. Measured under load (docs/decisions/0013): one fact at a time made ~15
-- single-row upserts per fact, many to the same rows, and a flush of ~400 facts took 160 ms; here each key is
-- written once per call of this function.
--
-- Each key is an UPDATE, and an INSERT only when the key has no row yet (on conflict do nothing, and the
-- UPDATE again if another transaction inserted it meanwhile). Not "insert ... on conflict do update": that
-- locks the row it finds before updating it, a lock record in the write-ahead log beside the update's own,
-- about 54 bytes per rollup row written (docs/decisions/0033). A plain UPDATE takes the row's lock with its
-- update record. Set-based UPDATE ... FROM would lock in whatever order its plan joins, so it is a loop.
-- Each loop's query lists a rollup row's columns in its table's order: they fill a variable of that row type.
create or replace function statistics_add(facts call_facts[], p_sign integer) returns void language plpgsql as $$
declare
    cd call_daily;
    cs call_slices;
    dw call_daily_waits;
    sw call_slice_waits;
    od operator_daily;
    ad call_answer_daily;
begin
    if facts is null or cardinality(facts) = 0 then
        return;
    end if;

    for cd in
        select d.local_date, d.municipality_code, p_sign * sum(d.offered)::int, p_sign * sum(d.answered)::int, p_sign * sum(d.abandoned)::int,
               p_sign * sum(d.answered_wait_sum)::bigint, p_sign * sum(d.handle_sum)::bigint, p_sign * sum(d.answered_direct)::int,
               p_sign * sum(d.transferred)::int, p_sign * sum(d.callbacks)::int, p_sign * sum(d.callbacks_kept)::int,
               p_sign * sum(d.callbacks_missed)::int, p_sign * sum(d.messages)::int, p_sign * sum(d.fault_reports)::int,
               p_sign * sum(d.bounce_backs)::int, p_sign * sum(d.closed_destinations)::int
        from unnest(facts) f, lateral call_fact_daily(f) d
        group by d.local_date, d.municipality_code
        order by d.local_date, d.municipality_code
    loop
        loop
            update call_daily t set
                offered = t.offered + cd.offered, answered = t.answered + cd.answered, abandoned = t.abandoned + cd.abandoned,
                answered_wait_sum = t.answered_wait_sum + cd.answered_wait_sum, handle_sum = t.handle_sum + cd.handle_sum,
                answered_direct = t.answered_direct + cd.answered_direct, transferred = t.transferred + cd.transferred,
                callbacks = t.callbacks + cd.callbacks, callbacks_kept = t.callbacks_kept + cd.callbacks_kept,
                callbacks_missed = t.callbacks_missed + cd.callbacks_missed, messages = t.messages + cd.messages,
                fault_reports = t.fault_reports + cd.fault_reports, bounce_backs = t.bounce_backs + cd.bounce_backs,
                closed_destinations = t.closed_destinations + cd.closed_destinations
            where t.local_date = cd.local_date and t.municipality_code = cd.municipality_code;
            exit when found;
            insert into call_daily (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                    answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                    fault_reports, bounce_backs, closed_destinations)
            values (cd.local_date, cd.municipality_code, cd.offered, cd.answered, cd.abandoned, cd.answered_wait_sum, cd.handle_sum,
                    cd.answered_direct, cd.transferred, cd.callbacks, cd.callbacks_kept, cd.callbacks_missed, cd.messages,
                    cd.fault_reports, cd.bounce_backs, cd.closed_destinations)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    for cs in
        select s.dimension, s.local_date, s.municipality_code, s.key, p_sign * sum(s.offered)::int, p_sign * sum(s.answered)::int,
               p_sign * sum(s.abandoned)::int, p_sign * sum(s.answered_wait_sum)::bigint, p_sign * sum(s.handle_sum)::bigint,
               p_sign * sum(s.answered_direct)::int, p_sign * sum(s.transferred)::int, p_sign * sum(s.callbacks)::int,
               p_sign * sum(s.callbacks_kept)::int, p_sign * sum(s.callbacks_missed)::int, p_sign * sum(s.messages)::int,
               p_sign * sum(s.fault_reports)::int, p_sign * sum(s.bounce_backs)::int, p_sign * sum(s.closed_destinations)::int
        from unnest(facts) f, lateral call_fact_slices(f) s
        group by s.dimension, s.local_date, s.municipality_code, s.key
        order by s.dimension, s.local_date, s.municipality_code, s.key
    loop
        loop
            update call_slices t set
                offered = t.offered + cs.offered, answered = t.answered + cs.answered, abandoned = t.abandoned + cs.abandoned,
                answered_wait_sum = t.answered_wait_sum + cs.answered_wait_sum, handle_sum = t.handle_sum + cs.handle_sum,
                answered_direct = t.answered_direct + cs.answered_direct, transferred = t.transferred + cs.transferred,
                callbacks = t.callbacks + cs.callbacks, callbacks_kept = t.callbacks_kept + cs.callbacks_kept,
                callbacks_missed = t.callbacks_missed + cs.callbacks_missed, messages = t.messages + cs.messages,
                fault_reports = t.fault_reports + cs.fault_reports, bounce_backs = t.bounce_backs + cs.bounce_backs,
                closed_destinations = t.closed_destinations + cs.closed_destinations
            where t.dimension = cs.dimension and t.local_date = cs.local_date and t.municipality_code = cs.municipality_code
              and t.key = cs.key;
            exit when found;
            insert into call_slices (dimension, local_date, municipality_code, key, offered, answered, abandoned, answered_wait_sum,
                                     handle_sum, answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                     fault_reports, bounce_backs, closed_destinations)
            values (cs.dimension, cs.local_date, cs.municipality_code, cs.key, cs.offered, cs.answered, cs.abandoned, cs.answered_wait_sum,
                    cs.handle_sum, cs.answered_direct, cs.transferred, cs.callbacks, cs.callbacks_kept, cs.callbacks_missed, cs.messages,
                    cs.fault_reports, cs.bounce_backs, cs.closed_destinations)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    -- The wait histograms count answered and abandoned calls only.
    for dw in
        select f.local_date, coalesce(f.municipality_code, ''), f.answered, least(f.wait_seconds, 3600), p_sign * count(*)::int
        from unnest(facts) f
        where f.answered or f.outcome = 'abandoned'
        group by 1, 2, 3, 4
        order by 1, 2, 3, 4
    loop
        loop
            update call_daily_waits t set calls = t.calls + dw.calls
            where t.local_date = dw.local_date and t.municipality_code = dw.municipality_code and t.answered = dw.answered
              and t.wait_seconds = dw.wait_seconds;
            exit when found;
            insert into call_daily_waits (local_date, municipality_code, answered, wait_seconds, calls)
            values (dw.local_date, dw.municipality_code, dw.answered, dw.wait_seconds, dw.calls)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    for sw in
        select k.dimension, f.local_date, coalesce(f.municipality_code, ''), k.key, f.answered, least(f.wait_seconds, 3600),
               p_sign * count(*)::int
        from unnest(facts) f, lateral call_fact_slice_keys(f) k
        where f.answered or f.outcome = 'abandoned'
        group by 1, 2, 3, 4, 5, 6
        order by 1, 2, 3, 4, 5, 6
    loop
        loop
            update call_slice_waits t set calls = t.calls + sw.calls
            where t.dimension = sw.dimension and t.local_date = sw.local_date and t.municipality_code = sw.municipality_code
              and t.key = sw.key and t.answered = sw.answered and t.wait_seconds = sw.wait_seconds;
            exit when found;
            insert into call_slice_waits (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
            values (sw.dimension, sw.local_date, sw.municipality_code, sw.key, sw.answered, sw.wait_seconds, sw.calls)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    for sw in
        select k.dimension, date_trunc('month', f.local_date)::date, coalesce(f.municipality_code, ''), k.key, f.answered,
               least(f.wait_seconds, 3600), p_sign * count(*)::int
        from unnest(facts) f, lateral call_fact_slice_keys(f) k
        where (f.answered or f.outcome = 'abandoned') and position(',' in k.dimension) = 0 -- pairs keep daily rows only
        group by 1, 2, 3, 4, 5, 6
        order by 1, 2, 3, 4, 5, 6
    loop
        loop
            update call_slice_waits_monthly t set calls = t.calls + sw.calls
            where t.dimension = sw.dimension and t.local_date = sw.local_date and t.municipality_code = sw.municipality_code
              and t.key = sw.key and t.answered = sw.answered and t.wait_seconds = sw.wait_seconds;
            exit when found;
            insert into call_slice_waits_monthly (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
            values (sw.dimension, sw.local_date, sw.municipality_code, sw.key, sw.answered, sw.wait_seconds, sw.calls)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    for od in
        select f.local_date, f.operator_id, p_sign * count(*)::int, p_sign * sum(f.handle_seconds + f.wrap_up_seconds)::bigint
        from unnest(facts) f
        where f.answered and f.operator_id is not null
        group by 1, 2
        order by 1, 2
    loop
        loop
            update operator_daily t set answered = t.answered + od.answered, handle_sum = t.handle_sum + od.handle_sum
            where t.local_date = od.local_date and t.operator_id = od.operator_id;
            exit when found;
            insert into operator_daily (local_date, operator_id, answered, handle_sum)
            values (od.local_date, od.operator_id, od.answered, od.handle_sum)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;

    -- The answers' figures: answered calls per day, municipality, menu topic and answer ('' without one).
    for ad in
        select f.local_date, coalesce(f.municipality_code, ''), coalesce(f.topic, ''), coalesce(f.answer_id::text, ''),
               p_sign * count(*)::int, p_sign * count(*) filter (where f.outcome = 'answered')::int,
               p_sign * count(*) filter (where f.answer_id is not null and f.answer_link_sent)::int,
               p_sign * count(*) filter (where f.transferred_despite_answers)::int
        from unnest(facts) f
        where f.answered
        group by 1, 2, 3, 4
        order by 1, 2, 3, 4
    loop
        loop
            update call_answer_daily t set
                answered = t.answered + ad.answered, resolved = t.resolved + ad.resolved, links_sent = t.links_sent + ad.links_sent,
                transferred_despite = t.transferred_despite + ad.transferred_despite
            where t.local_date = ad.local_date and t.municipality_code = ad.municipality_code and t.topic = ad.topic
              and t.answer_id = ad.answer_id;
            exit when found;
            insert into call_answer_daily (local_date, municipality_code, topic, answer_id, answered, resolved, links_sent,
                                           transferred_despite)
            values (ad.local_date, ad.municipality_code, ad.topic, ad.answer_id, ad.answered, ad.resolved, ad.links_sent,
                    ad.transferred_despite)
            on conflict do nothing;
            exit when found;
        end loop;
    end loop;
end $$;
