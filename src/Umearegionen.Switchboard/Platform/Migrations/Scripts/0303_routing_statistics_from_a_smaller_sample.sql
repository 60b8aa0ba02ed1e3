-- Routing: the tables every call writes are analysed from a smaller sample.
--
-- At a peak (200 calls a second) calls, call_events, offers and telephony_instructions change fast
-- enough for autovacuum to analyse each about once a minute. ANALYZE reads a sample of 300 rows for
-- each unit of the largest statistics target among the table's columns: 30,000 rows at the default
-- of 100. On a year of history that took 0.3-0.5 s for calls alone on an idle 2-core machine and
-- 1.0-1.6 s under load, while the calls waited for the same cores (docs/decisions/0011).
-- With a target of 30 the sample is 9,000 rows: calls 523 -> 82 ms, telephony_instructions 363 -> 43 ms.
--
-- What the planner needs from these tables is coarse: a handful of states, outcomes and
-- municipalities (30 most common values hold them all) and time ranges (30 histogram buckets, about
-- 12 days each over a year). The live reads go through partial indexes whatever the estimates
-- (Routing/QueryPlanTests).
--
-- Set on every column, since the largest target decides the sample. A column added later must be
-- given the same target: StatisticsSampleTests fails until it is. ALTER TABLE ... SET
-- STATISTICS takes a lock that does not block reads or writes. Numbered in routing's range; see 0301 on order.
do $$
declare
    t text;
    c text;
begin
    foreach t in array array['calls', 'call_events', 'offers', 'telephony_instructions'] loop
        for c in select attname from pg_attribute where attrelid = t::regclass and attnum > 0 and not attisdropped loop
            execute format('alter table %I alter column %I set statistics 30', t, c);
        end loop;
    end loop;
end $$;
