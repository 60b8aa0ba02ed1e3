-- Inserts the facts of the given ended calls that have none yet; returns how many.
--
-- Plain inserts, not "on conflict do nothing": that is a speculative insert, a confirmation record in the
-- write-ahead log for every row (docs/call-cost.md S1). Two transactions making the same fact at once still meet
-- on the primary key: the second waits for the first and then fails with a unique violation, which
-- statistics_make_facts catches, making its facts one at a time, where the fact is then there and skipped.
--
-- Transferred although an answer existed (docs/metrics.md "Answers"): for a transferred call with a menu topic,
-- the answers that were valid that day (the transfer's local date) for the call's municipality (its own or
-- shared) and had its topic (case-insensitive) are kept with its fact (call_transfers_with_answers), made here
-- off the call's path. A change to answers first makes the due transfers' facts (answers_settle_transfers), so
-- the answers read here are the ones there were at the transfer.
create or replace function statistics_insert_facts(ids uuid[]) returns integer language sql as $$
    insert into call_transfers_with_answers (call_id, answer_ids, questions)
    select c.id, array_agg(a.id order by a.question, a.id), array_agg(a.question order by a.question, a.id)
    from calls c
    join answers a on (a.municipality_code is null or a.municipality_code = c.municipality_code)
                  and (a.valid_from is null or a.valid_from <= (c.completed_at at time zone 'Europe/Stockholm')::date)
                  and (a.valid_to is null or a.valid_to >= (c.completed_at at time zone 'Europe/Stockholm')::date)
                  and exists (select 1 from unnest(a.topics) t where lower(t) = lower(c.menu_topic))
    where c.id = any (ids) and c.state = 'completed' and c.outcome = 'transferred' and c.menu_topic is not null
      and not exists (select 1 from call_facts f where f.call_id = c.id)
    group by c.id;

    with made as (
        insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                                local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category,
                                answer_id, answer_link_sent, transferred_despite_answers)
        select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
               local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category,
               answer_id, answer_link_sent, transferred_despite_answers
        from call_facts_source s where s.call_id = any (ids)
          and not exists (select 1 from call_facts f where f.call_id = s.call_id)
        returning 1
    )
    select count(*)::int from made
$$;
