-- A call's history as its events (docs/decisions/0023, docs/call-cost.md P9). The intake stores an
-- offer made on arrival inside the `received` event (data -> 'offer': operatorId and expiresAt, as
-- an `offered` event's data), one row where there were two. Every reader of the history reads this
-- view, which shows such a row as the two events it was: `received` (its data without the offer)
-- with the stored id, then `offered` by the intake at the same instant with the offer's data and the
-- id + 1. call_events ids are taken two apart (0360_received_event_holds_the_offer_on_arrival.sql),
-- so id + 1 is no other event's id, and ordering by id keeps a call's events in the order they
-- happened: the call's next event has a larger id than both. Offers the dispatcher makes later are
-- `offered` rows of their own and are shown as they are stored.
-- The platform's confirmations stored on the instruction they answer (docs/decisions/0026,
-- 0365_platform_confirmations_on_the_instruction.sql) are shown as the events they were: the
-- `accepted` and `completed` events name their instruction in data -> 'instructionSeq' (kept from
-- the readers), and the last two branches show that instruction's reported_* and ended_* columns as
-- the platform's event, with the id taken from call_events' sequence when it was stored.
-- A `received` event stored since decision 0032 holds no dialledNumber, menuTopic or priority, and a
-- `completed` event no outcome or wrapUpCategory (the call's own columns, set by the same statement
-- and never changed): the view shows them in its data from the call, as they were stored before. A
-- row that holds them (dialledNumber, outcome), stored before, is shown as it is; erasure writes them
-- into the row before changing it (Redaction.cs).
-- A read by call (call_id = …) reaches every branch; each reads call_events_pkey, and the last two
-- then telephony_instructions by its pkey.
create or replace view call_history_events as
select e.id, e.call_id, e.type, e.platform_event_id, e.occurred_at, e.actor_id,
       case when e.type = 'received' and not (e.data ? 'dialledNumber')
                then (select jsonb_build_object('dialledNumber', k.dialled_number, 'menuTopic', k.menu_topic, 'priority', k.priority)
                      from calls k where k.id = e.call_id) || (e.data - 'offer')
            when e.type = 'received' then e.data - 'offer'
            when e.type = 'completed' and not (e.data ? 'outcome')
                then (select jsonb_build_object('outcome', k.outcome, 'wrapUpCategory', k.wrap_up_category)
                      from calls k where k.id = e.call_id) || (e.data - 'instructionSeq')
            when e.type in ('accepted', 'completed') and e.data ? 'instructionSeq'
                then nullif(e.data - 'instructionSeq', '{}'::jsonb)
            else e.data end as data
from call_events e
union all
select e.id + 1, e.call_id, 'offered', null, e.occurred_at, 'intake', e.data -> 'offer'
from call_events e
where e.type = 'received' and e.data ? 'offer'
union all
select t.reported_id, e.call_id, t.reported_type, t.reported_event_id, t.reported_at, 'telephony', null
from call_events e
join telephony_instructions t on t.seq = (e.data ->> 'instructionSeq')::bigint and t.call_id = e.call_id
where e.type in ('accepted', 'completed') and e.data ? 'instructionSeq' and t.reported_id is not null
union all
select t.ended_id, e.call_id, 'platform_ended', t.ended_event_id, t.ended_at, 'telephony', null
from call_events e
join telephony_instructions t on t.seq = (e.data ->> 'instructionSeq')::bigint and t.call_id = e.call_id
where e.type in ('accepted', 'completed') and e.data ? 'instructionSeq' and t.ended_id is not null;
