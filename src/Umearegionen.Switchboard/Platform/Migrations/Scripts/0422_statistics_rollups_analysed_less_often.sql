-- Statistics: the rollups are analysed about a fifth as often.
--
-- The flush updates the day's rows of call_daily, call_daily_waits, operator_daily, call_slices,
-- call_slice_waits and call_slice_waits_monthly in place as calls end, so at 200 calls a second their
-- changes pass autovacuum's 10 % of rows every minute (call_slices was analysed in every minute's
-- round, 0.5 s under load) while what the planner knows of them, which days, municipalities and keys
-- exist, changes only when a new day or key appears. At 0.5 they are analysed after changes amounting
-- to half their rows. Their period reads select by date range and key through their primary keys.
-- call_facts (one insert per call, rarely updated) and the queues keep the default.
-- See 0304 for routing's tables.
alter table call_daily set (autovacuum_analyze_scale_factor = 0.5);
alter table call_daily_waits set (autovacuum_analyze_scale_factor = 0.5);
alter table operator_daily set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slices set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slice_waits set (autovacuum_analyze_scale_factor = 0.5);
alter table call_slice_waits_monthly set (autovacuum_analyze_scale_factor = 0.5);
