-- The accept made a HOT update (docs/call-cost.md, P3; docs/decisions/0016). No index of calls names
-- state, offered_to or operator_id any more, so the updates of a call's life that change only those
-- (and the times beside them) find their new version a place on the same page and write no index entry.
--
-- * "One offer and one call per operator" is kept on the operator's row: offered_call_id is the call
--   ringing for them, call_id the call they are on. Every statement that offers, accepts, returns or
--   ends a call already locks and updates that row (assignments, idle_since, status); it sets these in
--   the same update, and an offer or an accept is made only while they are null. Neither is indexed,
--   so those updates stay HOT (operators keeps its fillfactor 50).
-- * The waiting calls are the rows of call_queue, in queue order by its index: a call enters it when it
--   is queued (or returned to the queue) and leaves it when it is offered, picked or abandoned. Most
--   calls are offered on arrival and never enter it.
-- * calls keeps a fifth of each page free (fillfactor 80), so that a call's updates find room for their
--   new version on its page.
alter table operators add column offered_call_id uuid, add column call_id uuid;
update operators o set offered_call_id = c.id from calls c where c.state = 'offered' and c.offered_to = o.account_id;
update operators o set call_id = c.id from calls c where c.state = 'connected' and c.operator_id = o.account_id;

-- The waiting calls, and the columns the queue is ordered by (a call's priority and queued_at never
-- change). Rows are inserted and deleted, never updated; a few hundred at most at a peak.
create table call_queue (
    call_id   uuid primary key references calls (id),
    priority  integer not null,
    queued_at timestamptz not null
);
create index call_queue_order on call_queue (priority desc, queued_at, call_id);
alter table call_queue alter column call_id set statistics 30, alter column priority set statistics 30,
    alter column queued_at set statistics 30;
insert into call_queue (call_id, priority, queued_at) select id, priority, queued_at from calls where state = 'queued';

drop index calls_queue;
drop index calls_one_offer_per_operator;
drop index calls_one_call_per_operator;

-- New pages only; the pages written so far keep what room they have.
alter table calls set (fillfactor = 80);
