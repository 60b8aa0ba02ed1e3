-- The call's end made a HOT update (issue 28, docs/call-cost.md P11; docs/decisions/0022). The end
-- (transfer, answer, callback, message, fault report, abandon) sets state, outcome, completed_at,
-- wrap_up_category, consultation and the offer's columns; calls_ended_by_caller named completed_at in
-- its predicate, so every end wrote a new index entry in each index of calls. One full index on
-- (caller_number, queued_at) serves every look-up by a caller's number instead: it takes its entry at
-- the insert, and neither column changes during the call (a number is only ever removed, by retention
-- or erasure, PersonalData/Redaction.cs). Its readers: CallHistory.CallsOfCaller (the history by
-- number, register extracts, erasure), RecentContacts, and the bounce-backs (Functions/calls_bounce_back.sql,
-- Functions/statistics_backfill_facts.sql), which leave a withheld number ("anonymous") out, so that
-- no number has more than a handful of calls under it. calls_transferred_by_caller, the statistics'
-- own index, is dropped by 0460_calls_transferred_by_caller_dropped.sql (after 0400, which makes it
-- on a new database).
create index calls_by_caller on calls (caller_number, queued_at);
drop index calls_ended_by_caller;
