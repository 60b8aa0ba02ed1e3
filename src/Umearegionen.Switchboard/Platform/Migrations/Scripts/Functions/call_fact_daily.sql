-- What one fact contributes to the municipality rollup (call_daily); the flush, the per-fact apply
-- and the recount all use it.
create or replace function call_fact_daily(f call_facts) returns call_daily language sql immutable as $$
    select row(f.local_date, coalesce(f.municipality_code, ''), 1, f.answered::int, (f.outcome = 'abandoned')::int,
               case when f.answered then f.wait_seconds else 0 end::bigint,
               case when f.answered then f.handle_seconds + f.wrap_up_seconds else 0 end::bigint,
               (f.outcome = 'answered')::int, (f.outcome = 'transferred')::int, (f.outcome = 'callback')::int,
               coalesce(f.callback_result = 'kept', false)::int, coalesce(f.callback_result = 'missed', false)::int, (f.outcome = 'message')::int,
               (f.outcome = 'fault_report')::int, f.bounced_back::int, (cardinality(f.closed_unit_ids) > 0)::int)::call_daily
$$;
