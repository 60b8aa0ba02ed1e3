-- What one fact contributes to the slice rollup: its own rows (one per slice and per pair of slices), plus a
-- closed-destination-only row under each closed unit in the unit slice and the pairs with unit (merged with
-- its own row when it is the same unit).
create or replace function call_fact_slices(f call_facts) returns setof call_slices language sql immutable as $$
    with d as (select * from call_fact_daily(f)), r as (
        select k.dimension, k.key, d.offered, d.answered, d.abandoned, d.answered_wait_sum, d.handle_sum, d.answered_direct,
               d.transferred, d.callbacks, d.callbacks_kept, d.callbacks_missed, d.messages, d.fault_reports, d.bounce_backs,
               case when k.dimension = 'unit' or k.dimension like 'unit,%' then 0 else d.closed_destinations end as closed_destinations
        from d, call_fact_slice_keys(f) k
        union all
        select k.dimension, k.key, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
        from unnest(f.closed_unit_ids) u, lateral call_fact_slice_keys(f, u) k
        where k.dimension = 'unit' or k.dimension like 'unit,%'
    )
    select r.dimension, f.local_date, coalesce(f.municipality_code, ''), r.key, sum(r.offered)::int, sum(r.answered)::int,
           sum(r.abandoned)::int, sum(r.answered_wait_sum)::bigint, sum(r.handle_sum)::bigint, sum(r.answered_direct)::int,
           sum(r.transferred)::int, sum(r.callbacks)::int, sum(r.callbacks_kept)::int, sum(r.callbacks_missed)::int,
           sum(r.messages)::int, sum(r.fault_reports)::int, sum(r.bounce_backs)::int, sum(r.closed_destinations)::int
    from r
    group by r.dimension, r.key
    order by r.dimension, r.key
$$;
