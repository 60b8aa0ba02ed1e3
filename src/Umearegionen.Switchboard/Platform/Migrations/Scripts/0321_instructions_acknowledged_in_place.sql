-- An acknowledgement becomes a HOT update (issue 28, docs/call-cost.md P1, the variant that keeps the
-- history). telephony_instructions_pending named acknowledged_at in its predicate, so every
-- acknowledgement wrote a new entry in the primary key and left the pending one behind: 3 updates
-- that could not be HOT per call life. A poll now reads from its node's low-water mark through the
-- primary key (Routing/Instructions.cs). Each instruction is updated once, by its acknowledgement,
-- within moments of its insert: fillfactor 70 leaves room on its page for that one new version
-- (pages written from now on; older pages keep theirs).
drop index telephony_instructions_pending;
alter table telephony_instructions set (fillfactor = 70);
