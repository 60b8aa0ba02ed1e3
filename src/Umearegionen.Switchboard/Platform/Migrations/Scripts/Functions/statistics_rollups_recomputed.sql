-- The rollups as recomputed from the facts: the recount (statistics_recount_rollup) and the
-- consistency tests read these. The slice views read the same per-fact functions as the flush
-- (call_fact_slices, call_fact_slice_keys), in one pass over the facts.
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
select s.dimension, s.local_date, s.municipality_code, s.key, sum(s.offered)::int as offered, sum(s.answered)::int as answered,
       sum(s.abandoned)::int as abandoned, sum(s.answered_wait_sum)::bigint as answered_wait_sum,
       sum(s.handle_sum)::bigint as handle_sum, sum(s.answered_direct)::int as answered_direct,
       sum(s.transferred)::int as transferred, sum(s.callbacks)::int as callbacks,
       sum(s.callbacks_kept)::int as callbacks_kept, sum(s.callbacks_missed)::int as callbacks_missed,
       sum(s.messages)::int as messages, sum(s.fault_reports)::int as fault_reports,
       sum(s.bounce_backs)::int as bounce_backs, sum(s.closed_destinations)::int as closed_destinations
from call_facts f, lateral call_fact_slices(f) s
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
