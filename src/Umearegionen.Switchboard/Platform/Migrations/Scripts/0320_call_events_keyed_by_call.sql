-- call_events keyed by (call_id, id) (issue 28, docs/call-cost.md P4). Every read of the history is by
-- call (CallHistory, RegisterExtract, the statistics' views, the reconciler) and nothing refers to an
-- event by its id alone, so the key on id alone was an index entry at every event for no read: each
-- event took three entries (call_events_pkey, call_events_call, call_events_platform_event), now two.
-- id stays the identity that orders a call's events.
alter table call_events drop constraint call_events_pkey;
drop index call_events_call;
alter table call_events add constraint call_events_pkey primary key (call_id, id);
