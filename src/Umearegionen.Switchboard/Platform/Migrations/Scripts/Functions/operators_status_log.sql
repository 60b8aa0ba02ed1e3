-- Operators' status history (operator_status_log), for occupancy; a disconnected operator counts as
-- offline. Leaving wrap-up: the time belongs to the call the operator finished just before (or during) it,
-- whose fact is made first if the flush has not made it yet.
create or replace function operators_status_log() returns trigger language plpgsql as $$
declare
    new_status text := case when new.disconnected_at is null then new.status else 'offline' end;
    old_status text := case when tg_op = 'INSERT' then null
                            when old.disconnected_at is null then old.status else 'offline' end;
    at timestamptz;
    wrap_started timestamptz;
begin
    if new_status is not distinct from old_status then
        return null;
    end if;
    at := case when tg_op = 'UPDATE' and new.status is distinct from old.status then new.status_changed_at
               when new.disconnected_at is not null then new.disconnected_at
               else new.last_seen_at end;
    insert into operator_status_log (account_id, status, started_at) values (new.account_id, new_status, at);

    if old_status = 'wrap_up' then
        select started_at into wrap_started from operator_status_log
        where account_id = new.account_id and status = 'wrap_up' and started_at <= at
        order by started_at desc, id desc limit 1;
        perform statistics_make_facts(array(
            select d.call_id from call_facts_due d join calls c on c.id = d.call_id where c.operator_id = new.account_id));
        update call_facts f
        set wrap_up_seconds = f.wrap_up_seconds + greatest(0, floor(extract(epoch from at - greatest(wrap_started, f.ended_at))))::int
        where f.call_id = (
            select call_id from call_facts
            where operator_id = new.account_id and ended_at <= at and ended_at >= wrap_started - interval '60 seconds'
            order by ended_at desc limit 1);
    end if;
    return null;
exception when others then
    raise warning 'statistics: status history not recorded for operator %: %', new.account_id, sqlerrm;
    return null;
end $$;

-- Routing updates an operator's row on every offer, answer and ending; only a change of the logged
-- status (or of being connected) needs the function above, so the others no longer call it.
create or replace trigger operators_status_log_insert after insert on operators
    for each row execute function operators_status_log();
create or replace trigger operators_status_log after update on operators
    for each row
    when (old.status is distinct from new.status or (old.disconnected_at is null) is distinct from (new.disconnected_at is null))
    execute function operators_status_log();
