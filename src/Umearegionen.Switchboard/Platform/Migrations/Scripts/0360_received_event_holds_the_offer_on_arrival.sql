-- The arrival and its offer in one event row (issue 28, docs/call-cost.md P9; docs/decisions/0023).
-- A call offered on arrival stores one `received` event whose data holds the offer under "offer"
-- (operator and expiry, as an `offered` event's data), not a `received` and an `offered` row. Readers
-- read the history through the view call_history_events (Functions/call_history_events.sql), which
-- shows such a row as its two events: `received` with the stored id, `offered` with the id + 1.
-- So that id + 1 is never another event's id, the ids are taken two apart from now on: every id
-- given from here is the last one given + 2k, so no id given before or after is one more than it.
-- The history stored before keeps its two rows and its ids; the view shows them as they are.
alter table call_events alter column id set increment by 2;
