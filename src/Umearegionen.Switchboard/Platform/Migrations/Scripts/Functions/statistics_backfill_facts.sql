-- Repairs: makes the facts of ended calls that have none (bulk-loaded with triggers off, or whose
-- fact could not be made), marks bounce-backs and refusals by closed units as the triggers would have
-- (a withheld number, "anonymous", is left out of bounce-backs as in Functions/calls_bounce_back.sql).
create or replace function statistics_backfill_facts() returns bigint language sql as $$
    insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                            local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category,
                            answer_id, answer_link_sent, transferred_despite_answers)
    select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
           local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category,
           answer_id, answer_link_sent, transferred_despite_answers
    from call_facts_source s
    where not exists (select 1 from call_facts f where f.call_id = s.call_id);

    update call_facts f set bounced_back = true
    from (
        select distinct t.id
        from calls n, statistics_settings s,
             lateral (select c.id from calls c
                      where c.caller_number = n.caller_number and c.outcome = 'transferred' and c.id <> n.id
                        and c.completed_at <= n.queued_at and c.completed_at >= n.queued_at - s.bounce_back_window
                      order by c.completed_at desc limit 1) t
        where n.caller_number not in ('', 'anonymous')
    ) b
    where f.call_id = b.id and not f.bounced_back;

    -- Refusals by closed units recorded on calls that already had a fact.
    update call_facts f set closed_unit_ids = r.units
    from (select call_id, array_agg(distinct data ->> 'unitId' order by data ->> 'unitId') as units
          from call_events where type = 'destination_closed' and data ->> 'unitId' is not null group by call_id) r
    where f.call_id = r.call_id and f.closed_unit_ids is distinct from r.units;

    select count(*) from call_facts
$$;
