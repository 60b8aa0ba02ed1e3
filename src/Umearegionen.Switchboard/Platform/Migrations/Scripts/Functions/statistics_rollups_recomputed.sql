-- The rollups as recomputed from the facts: the recount (statistics_recount_rollup) and the
-- consistency tests read these. The slice views read the same per-fact keys as the flush
-- (call_fact_daily, call_fact_slice_keys), in one pass over the facts.
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

-- Set-based rather than through call_fact_slices (a SQL function that sums each fact's rows on its own):
-- the same rows summed in one pass (three times faster than through the function over 200,000 facts of
-- the five-million benchmark). The flush keeps call_fact_slices; the consistency tests compare the two.
create or replace view call_slices_recomputed as
with r as (
    select k.dimension, f.local_date, coalesce(f.municipality_code, '') as municipality_code, k.key, d.offered, d.answered,
           d.abandoned, d.answered_wait_sum, d.handle_sum, d.answered_direct, d.transferred, d.callbacks, d.callbacks_kept,
           d.callbacks_missed, d.messages, d.fault_reports, d.bounce_backs,
           case when k.dimension = 'unit' or k.dimension like 'unit,%' then 0 else d.closed_destinations end as closed_destinations
    from call_facts f, lateral call_fact_daily(f) d, lateral call_fact_slice_keys(f) k
    union all
    -- A closed-destination-only row under each closed unit, in the unit slice and the pairs with unit.
    select k.dimension, f.local_date, coalesce(f.municipality_code, ''), k.key, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from call_facts f, unnest(f.closed_unit_ids) u, lateral call_fact_slice_keys(f, u) k
    where cardinality(f.closed_unit_ids) > 0 and (k.dimension = 'unit' or k.dimension like 'unit,%')
)
select dimension, local_date, municipality_code, key, sum(offered)::int as offered, sum(answered)::int as answered,
       sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
       sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
       sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
       sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
       sum(messages)::int as messages, sum(fault_reports)::int as fault_reports,
       sum(bounce_backs)::int as bounce_backs, sum(closed_destinations)::int as closed_destinations
from r
group by 1, 2, 3, 4;

create or replace view call_slice_waits_recomputed as
select k.dimension, f.local_date, coalesce(f.municipality_code, '') as municipality_code, k.key, f.answered,
       least(f.wait_seconds, 3600) as wait_seconds, count(*)::int as calls
from call_facts f, lateral call_fact_slice_keys(f) k
where f.answered or f.outcome = 'abandoned'
group by 1, 2, 3, 4, 5, 6;

-- The pairs of slices keep daily histograms only (statistics_add).
create or replace view call_slice_waits_monthly_recomputed as
select dimension, date_trunc('month', local_date)::date as local_date, municipality_code, key, answered, wait_seconds,
       sum(calls)::int as calls
from call_slice_waits_recomputed
where position(',' in dimension) = 0
group by 1, 2, 3, 4, 5, 6;

create or replace view call_answer_daily_recomputed as
select local_date, coalesce(municipality_code, '') as municipality_code, coalesce(topic, '') as topic,
       coalesce(answer_id::text, '') as answer_id, count(*)::int as answered,
       count(*) filter (where outcome = 'answered')::int as resolved,
       count(*) filter (where answer_id is not null and answer_link_sent)::int as links_sent,
       count(*) filter (where transferred_despite_answers)::int as transferred_despite
from call_facts
where answered
group by 1, 2, 3, 4;
