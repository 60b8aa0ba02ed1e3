-- Less write-ahead log per call in the statistics (issue 28, docs/call-cost.md S1, docs/decisions/0021).
--
-- call_facts_due without its primary key: the queue of ended calls is only ever read whole, by the flush (one
-- at a time, under its advisory lock) and by the few statements that make an operator's or a transfer's due
-- facts first, each a scan of a table of seconds' worth of rows. Each call is noted once (calls_to_facts fires
-- only when the call first enters an ended state), so the key guarded nothing and cost an index entry per call.
alter table call_facts_due drop constraint call_facts_due_pkey;

-- call_facts without its foreign key to calls: a fact is only ever made from its call's row
-- (call_facts_source, read by statistics_insert_facts and statistics_backfill_facts) and calls are never
-- deleted (personal data is removed in place, docs/decisions/0006). The key's check locked the call's row
-- for every fact the flush made: a WAL lock record per call.
alter table call_facts drop constraint call_facts_call_id_fkey;
