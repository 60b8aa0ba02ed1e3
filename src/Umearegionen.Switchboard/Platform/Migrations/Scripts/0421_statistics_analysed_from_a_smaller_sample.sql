-- Statistics: the tables the statistics flush writes as calls end are analysed from a smaller sample,
-- as routing's are since 0303.
--
-- At a peak the flush updates call_slices, call_slice_waits_monthly and the rest of them all the time,
-- so autovacuum analyses them in the same rounds (about once a minute at 200 calls a second) as calls
-- and call_events, while the calls wait for the same two cores. With the default statistics target of
-- 100, ANALYZE reads 30,000 rows; at 30 it reads 9,000. Measured on an idle 2-core machine after a load
-- test on a year of history: call_facts 499 -> 111 ms, call_slices 163 -> 39 ms,
-- call_slice_waits_monthly 208 -> 25 ms (docs/decisions/0011).
--
-- The period queries select by date ranges (30 histogram buckets over a year are about 12 days each),
-- a handful of municipalities and dimensions, and keys. The statistics benchmark's queries were run
-- with the target at 100 and at 30 on a year of load-test history, and their plans compared
-- (docs/decisions/0011).
--
-- Set on every column, since the largest target decides the sample; a column added later needs the
-- same (StatisticsSampleTests). ALTER TABLE ... SET STATISTICS takes a lock that does not block reads or
-- writes.
do $$
declare
    t text;
    c text;
begin
    foreach t in array array['call_facts', 'call_facts_pending', 'call_facts_due', 'call_daily', 'call_daily_waits',
                             'operator_daily', 'operator_status_log', 'call_slices', 'call_slice_waits',
                             'call_slice_waits_monthly'] loop
        for c in select attname from pg_attribute where attrelid = t::regclass and attnum > 0 and not attisdropped loop
            execute format('alter table %I alter column %I set statistics 30', t, c);
        end loop;
    end loop;
end $$;
