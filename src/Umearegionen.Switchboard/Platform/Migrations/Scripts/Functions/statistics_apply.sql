-- Applies one fact to every rollup, with sign +1 or -1 (call_facts_rollup: a change to a fact already
-- flushed takes the old contribution out and puts the new one in). The flush does the same for many
-- facts at once (statistics_roll_up).
create or replace function statistics_apply(f call_facts, p_sign integer) returns void language plpgsql as $$
declare
    d call_daily := call_fact_daily(f);
begin
    insert into call_daily as t (local_date, municipality_code, offered, answered, abandoned, answered_wait_sum, handle_sum,
                                 answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
                                 fault_reports, bounce_backs, closed_destinations)
    values (d.local_date, d.municipality_code, p_sign * d.offered, p_sign * d.answered, p_sign * d.abandoned,
            p_sign * d.answered_wait_sum, p_sign * d.handle_sum, p_sign * d.answered_direct, p_sign * d.transferred,
            p_sign * d.callbacks, p_sign * d.callbacks_kept, p_sign * d.callbacks_missed, p_sign * d.messages,
            p_sign * d.fault_reports, p_sign * d.bounce_backs, p_sign * d.closed_destinations)
    on conflict (local_date, municipality_code) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    -- The slice rows, in key order (every fact of a day and municipality locks call_daily's row first).
    insert into call_slices as t
    select s.dimension, s.local_date, s.municipality_code, s.key, p_sign * s.offered, p_sign * s.answered,
           p_sign * s.abandoned, p_sign * s.answered_wait_sum, p_sign * s.handle_sum, p_sign * s.answered_direct,
           p_sign * s.transferred, p_sign * s.callbacks, p_sign * s.callbacks_kept, p_sign * s.callbacks_missed,
           p_sign * s.messages, p_sign * s.fault_reports, p_sign * s.bounce_backs, p_sign * s.closed_destinations
    from call_fact_slices(f) s
    on conflict (dimension, local_date, municipality_code, key) do update set
        offered = t.offered + excluded.offered, answered = t.answered + excluded.answered,
        abandoned = t.abandoned + excluded.abandoned, answered_wait_sum = t.answered_wait_sum + excluded.answered_wait_sum,
        handle_sum = t.handle_sum + excluded.handle_sum, answered_direct = t.answered_direct + excluded.answered_direct,
        transferred = t.transferred + excluded.transferred, callbacks = t.callbacks + excluded.callbacks,
        callbacks_kept = t.callbacks_kept + excluded.callbacks_kept,
        callbacks_missed = t.callbacks_missed + excluded.callbacks_missed, messages = t.messages + excluded.messages,
        fault_reports = t.fault_reports + excluded.fault_reports, bounce_backs = t.bounce_backs + excluded.bounce_backs,
        closed_destinations = t.closed_destinations + excluded.closed_destinations;

    if f.answered or f.outcome = 'abandoned' then
        insert into call_daily_waits as w (local_date, municipality_code, answered, wait_seconds, calls)
        values (d.local_date, d.municipality_code, f.answered, least(f.wait_seconds, 3600), p_sign)
        on conflict (local_date, municipality_code, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
        insert into call_slice_waits as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
        select k.dimension, d.local_date, d.municipality_code, k.key, f.answered, least(f.wait_seconds, 3600), p_sign
        from call_fact_slice_keys(f) k order by k.dimension
        on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
        insert into call_slice_waits_monthly as w (dimension, local_date, municipality_code, key, answered, wait_seconds, calls)
        select k.dimension, date_trunc('month', d.local_date)::date, d.municipality_code, k.key, f.answered, least(f.wait_seconds, 3600), p_sign
        from call_fact_slice_keys(f) k order by k.dimension
        on conflict (dimension, local_date, municipality_code, key, answered, wait_seconds) do update set calls = w.calls + excluded.calls;
    end if;
    if f.answered and f.operator_id is not null then
        insert into operator_daily as o (local_date, operator_id, answered, handle_sum)
        values (f.local_date, f.operator_id, p_sign, p_sign * (f.handle_seconds + f.wrap_up_seconds))
        on conflict (local_date, operator_id) do update set answered = o.answered + excluded.answered,
                                                            handle_sum = o.handle_sum + excluded.handle_sum;
    end if;
end $$;
