-- The rollups as recomputed from the facts: the recount (statistics_recount_rollup) and the
-- consistency tests read these. The slice views are the same contributions as call_fact_slices,
-- written as one set query so a recount over millions of facts stays a single pass.
create or replace view call_daily_recomputed as
select d.local_date, d.municipality_code, sum(d.offered)::int as offered, sum(d.answered)::int as answered,
       sum(d.abandoned)::int as abandoned, sum(d.answered_wait_sum)::bigint as answered_wait_sum,
       sum(d.handle_sum)::bigint as handle_sum, sum(d.answered_direct)::int as answered_direct,
       sum(d.transferred)::int as transferred, sum(d.callbacks)::int as callbacks,
       sum(d.callbacks_kept)::int as callbacks_kept, sum(d.callbacks_missed)::int as callbacks_missed,
       sum(d.messages)::int as messages, sum(d.fault_reports)::int as fault_reports,
       sum(d.bounce_backs)::int as bounce_backs, sum(d.closed_destinations)::int as closed_destinations
from call_facts f, lateral call_fact_daily(f) d
group by d.local_date, d.municipality_code;

create or replace view call_daily_waits_recomputed as
select local_date, coalesce(municipality_code, '') as municipality_code, answered, least(wait_seconds, 3600) as wait_seconds,
       count(*)::int as calls
from call_facts
where answered or outcome = 'abandoned'
group by 1, 2, 3, 4;

create or replace view operator_daily_recomputed as
select local_date, operator_id, count(*)::int as answered, sum(handle_seconds + wrap_up_seconds)::bigint as handle_sum
from call_facts
where answered and operator_id is not null
group by local_date, operator_id;

create or replace view call_slices_recomputed as
with keys as (
    select f as fact, k.dimension, k.key
    from call_facts f,
         lateral (values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
                         ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
                         ('wrapUpCategory', coalesce(f.wrap_up_category, ''))) k (dimension, key)
), r as (
    select k.dimension, d.local_date, d.municipality_code, k.key, d.offered, d.answered, d.abandoned, d.answered_wait_sum,
           d.handle_sum, d.answered_direct, d.transferred, d.callbacks, d.callbacks_kept, d.callbacks_missed, d.messages,
           d.fault_reports, d.bounce_backs, case when k.dimension = 'unit' then 0 else d.closed_destinations end as closed_destinations
    from keys k, lateral call_fact_daily(k.fact) d
    union all
    select 'unit', f.local_date, coalesce(f.municipality_code, ''), u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from call_facts f, unnest(f.closed_unit_ids) u
)
select dimension, local_date, municipality_code, key, sum(offered)::int as offered, sum(answered)::int as answered,
       sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
       sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
       sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
       sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
       sum(messages)::int as messages, sum(fault_reports)::int as fault_reports,
       sum(bounce_backs)::int as bounce_backs, sum(closed_destinations)::int as closed_destinations
from r
group by dimension, local_date, municipality_code, key;

create or replace view call_slice_waits_recomputed as
select k.dimension, f.local_date, coalesce(f.municipality_code, '') as municipality_code, k.key, f.answered,
       least(f.wait_seconds, 3600) as wait_seconds, count(*)::int as calls
from call_facts f,
     lateral (values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
                     ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
                     ('wrapUpCategory', coalesce(f.wrap_up_category, ''))) k (dimension, key)
where f.answered or f.outcome = 'abandoned'
group by 1, 2, 3, 4, 5, 6;

create or replace view call_slice_waits_monthly_recomputed as
select dimension, date_trunc('month', local_date)::date as local_date, municipality_code, key, answered, wait_seconds,
       sum(calls)::int as calls
from call_slice_waits_recomputed
group by 1, 2, 3, 4, 5, 6;
