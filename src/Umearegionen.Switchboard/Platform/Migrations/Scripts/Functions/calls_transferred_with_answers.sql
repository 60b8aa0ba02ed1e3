-- Answered with an answer (0620_answered_with_an_answer.sql): a transfer of a call with a menu topic
-- records which answers were valid for the call's municipality and topic at that moment
-- (call_transfers_with_answers), for "transferred although an answer existed" (docs/metrics.md).
create or replace function calls_transferred_with_answers() returns trigger language plpgsql as $$
declare
    day date := (new.completed_at at time zone 'Europe/Stockholm')::date;
begin
    insert into call_transfers_with_answers (call_id, answer_ids, questions)
    select new.id, array_agg(a.id order by a.question, a.id), array_agg(a.question order by a.question, a.id)
    from answers a
    where (a.municipality_code is null or a.municipality_code = new.municipality_code)
      and (a.valid_from is null or a.valid_from <= day) and (a.valid_to is null or a.valid_to >= day)
      and exists (select 1 from unnest(a.topics) t where lower(t) = lower(new.menu_topic))
    having count(*) > 0
    on conflict (call_id) do nothing;
    return null;
exception when others then
    -- A statistic must never stop a transfer.
    raise warning 'statistics: answers at transfer not recorded for call %: %', new.id, sqlerrm;
    return null;
end $$;

-- Fires only for transfers of calls with a menu topic: no other ending pays for it.
create or replace trigger calls_transferred_with_answers after update of state on calls
    for each row when (new.state = 'completed' and old.state is distinct from 'completed'
                       and new.outcome = 'transferred' and new.menu_topic is not null)
    execute function calls_transferred_with_answers();
