-- What a call that has ended contributes as a fact. The unit is where the call went: a transfer to
-- a unit, the unit a callback was booked for, or a unit that got a message. Making a fact
-- (statistics_insert_facts) and the backfill read this view. Columns are added at the end only (create or
-- replace view).
create or replace view call_facts_source as
select c.id as call_id, c.municipality_code, c.menu_topic as topic, c.operator_id,
       case c.outcome when 'transferred' then t.unit_id when 'callback' then b.unit_id when 'message' then m.unit_id end as unit_id,
       case c.outcome when 'transferred' then t.unit_name when 'callback' then b.unit_name when 'message' then m.unit_name end as unit_name,
       c.queued_at, coalesce(c.completed_at, c.caller_left_at, c.queued_at) as ended_at,
       (c.queued_at at time zone 'Europe/Stockholm')::date as local_date,
       extract(hour from c.queued_at at time zone 'Europe/Stockholm')::smallint as local_hour,
       extract(isodow from c.queued_at at time zone 'Europe/Stockholm')::smallint as local_weekday,
       coalesce(c.outcome, c.state) as outcome, c.answered_at is not null as answered,
       greatest(0, floor(extract(epoch from coalesce(c.answered_at, c.completed_at, c.caller_left_at, c.queued_at) - c.queued_at)))::int as wait_seconds,
       case when c.answered_at is null then 0
            else greatest(0, floor(extract(epoch from c.completed_at - c.answered_at)))::int end as handle_seconds,
       call_closed_units(c.id) as closed_unit_ids, c.wrap_up_category,
       -- Answered with an answer (call_answers, written by the ending statement), whether a link_sent event of
       -- the call named that answer, and whether answers existed at its transfer (call_transfers_with_answers,
       -- recorded by statistics_insert_facts just before the fact).
       ca.answer_id,
       ca.answer_id is not null and exists (select 1 from call_events e
                                            where e.call_id = c.id and e.type = 'link_sent' and e.data ->> 'answerId' = ca.answer_id::text)
           as answer_link_sent,
       c.outcome = 'transferred' and exists (select 1 from call_transfers_with_answers tw where tw.call_id = c.id)
           as transferred_despite_answers
from calls c
left join call_answers ca on ca.call_id = c.id
left join lateral (
    select coalesce(e.data -> 'details' ->> 'id', e.data -> 'details' ->> 'number') as unit_id, e.data -> 'details' ->> 'name' as unit_name
    from call_events e
    where e.call_id = c.id and e.type = 'completed' and e.data -> 'details' ->> 'kind' = 'unit'
    order by e.id desc limit 1
) t on c.outcome = 'transferred'
left join callbacks b on b.call_id = c.id
left join lateral (
    select coalesce(recipient_id, recipient_name) as unit_id, recipient_name as unit_name
    from messages where call_id = c.id and recipient_kind = 'unit'
) m on c.outcome = 'message'
where c.state in ('completed', 'abandoned');
