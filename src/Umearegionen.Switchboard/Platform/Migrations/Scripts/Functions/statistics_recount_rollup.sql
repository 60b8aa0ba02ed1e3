-- Recounts every rollup from the facts, pending or not. Called by statistics_rebuild_rollup, which
-- takes the flush's lock and clears what is pending first.
create or replace function statistics_recount_rollup() returns void language sql as $$
    delete from call_daily;
    delete from call_daily_waits;
    delete from operator_daily;
    delete from call_slices;
    delete from call_slice_waits;
    delete from call_slice_waits_monthly;
    delete from call_answer_daily;
    insert into call_daily select * from call_daily_recomputed;
    insert into call_daily_waits select * from call_daily_waits_recomputed;
    insert into operator_daily select * from operator_daily_recomputed;
    insert into call_slices select * from call_slices_recomputed;
    insert into call_answer_daily select * from call_answer_daily_recomputed;
    insert into call_slice_waits select * from call_slice_waits_recomputed;
    -- The months from the days just written: the same sums as call_slice_waits_monthly_recomputed, one pass less.
    insert into call_slice_waits_monthly
    select dimension, date_trunc('month', local_date)::date, municipality_code, key, answered, wait_seconds, sum(calls)::int
    from call_slice_waits where position(',' in dimension) = 0 group by 1, 2, 3, 4, 5, 6;
$$;
