-- Inserts the facts of the given ended calls that have none yet; returns how many.
create or replace function statistics_insert_facts(ids uuid[]) returns integer language sql as $$
    with made as (
        insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                                local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category)
        select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
               local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids, wrap_up_category
        from call_facts_source where call_id = any (ids)
        on conflict (call_id) do nothing
        returning 1
    )
    select count(*)::int from made
$$;
