-- A call's history as its events (docs/decisions/0023, docs/call-cost.md P9). The intake stores an
-- offer made on arrival inside the `received` event (data -> 'offer': operatorId and expiresAt, as
-- an `offered` event's data), one row where there were two. Every reader of the history reads this
-- view, which shows such a row as the two events it was: `received` (its data without the offer)
-- with the stored id, then `offered` by the intake at the same instant with the offer's data and the
-- id + 1. call_events ids are taken two apart (0360_received_event_holds_the_offer_on_arrival.sql),
-- so id + 1 is no other event's id, and ordering by id keeps a call's events in the order they
-- happened: the call's next event has a larger id than both. Offers the dispatcher makes later are
-- `offered` rows of their own and are shown as they are stored.
-- A read by call (call_id = …) reaches both branches and each reads call_events_pkey.
create or replace view call_history_events as
select e.id, e.call_id, e.type, e.platform_event_id, e.occurred_at, e.actor_id,
       case when e.type = 'received' then e.data - 'offer' else e.data end as data
from call_events e
union all
select e.id + 1, e.call_id, 'offered', null, e.occurred_at, 'intake', e.data -> 'offer'
from call_events e
where e.type = 'received' and e.data ? 'offer';
