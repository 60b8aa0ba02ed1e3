-- Routing: the tables every call writes are analysed about a fifth as often.
--
-- Autovacuum analyses a table once the rows inserted, updated or deleted since its last ANALYZE pass
-- 10 % of its rows (autovacuum_analyze_scale_factor = 0.1): meant as "a tenth of the table is new".
-- But a call is inserted and then updated about three times in its first minute (4.3 changes a call
-- in the faults load test), and each offer and platform instruction is inserted and updated once, so
-- 10 % of changes is about 2 % of new calls. At 200 calls a second that is an ANALYZE of calls, call_events,
-- offers and telephony_instructions every minute, each 0.5-1 s under load, in rounds where the calls
-- wait for the same two cores (docs/decisions/0011).
--
-- At 0.5 a table is analysed again after changes amounting to half its rows, which for calls is again
-- about a tenth of the table being new calls. call_events is inserted only, and read by call id
-- through its index, where the estimates hardly matter. The live reads go through partial indexes
-- whatever the estimates (Routing/QueryPlanTests), and a time range past the newest histogram
-- bucket is estimated from the index's actual end. Vacuum is not changed: it removes the dead rows the
-- updates leave, and its own threshold still decides when it runs.
alter table calls set (autovacuum_analyze_scale_factor = 0.5);
alter table call_events set (autovacuum_analyze_scale_factor = 0.5);
alter table offers set (autovacuum_analyze_scale_factor = 0.5);
alter table telephony_instructions set (autovacuum_analyze_scale_factor = 0.5);
