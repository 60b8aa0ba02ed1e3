-- A call's fact is made by the flush, no longer inside the statement that ends the call. Measured
-- under load (docs/decisions/0013): with the two per-call statistics triggers turned off,
-- the database's statement time at 200 calls/s halved (303 s to 152 s in 120 s) and ending a call
-- went from 5.3 to 1.5 ms. Making a fact reads the call with its events, callback and message
-- (call_facts_source), writes a row with five index entries and notes it as pending, all in a
-- sub-transaction, on every ended call; intake checked for a bounce-back with an update of call_facts
-- that found nothing for almost every call, again in a sub-transaction.
--
-- Now an ended call only notes its id in call_facts_due. statistics_flush makes the facts of the due
-- calls, set-based, and then rolls up pending facts as before (the 0415 function, renamed
-- statistics_roll_up). Every change to a fact first makes the fact if it is still due
-- (statistics_make_facts), so the changes that come from outside the ended call's statement (a
-- bounce-back, the end of wrap-up, a refused destination, a callback's follow-up) reach their fact
-- whether or not a flush has run since the call ended. Statistics reads flush first, as before, so
-- answers still include every ended call.
--
-- Concurrency: making a fact is an insert on call_facts' primary key with `on conflict do nothing`;
-- two transactions making the same fact wait for each other on that key, and the second then sees
-- the first one's fact in its next statement. A fact's changes and its roll-up keep the row-lock
-- protocol of 0413 (call_facts_pending).

create table call_facts_due (call_id uuid primary key);

-- Ended calls from before this migration that have no fact yet (none, normally: the old trigger made
-- them at once) are made by the first flush.
insert into call_facts_due (call_id)
select c.id from calls c
where c.state in ('completed', 'abandoned') and not exists (select 1 from call_facts f where f.call_id = c.id);

-- Inserts the facts of the given ended calls that have none yet; returns how many.
create function statistics_insert_facts(ids uuid[]) returns integer language sql as $$
    with made as (
        insert into call_facts (call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
                                local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids)
        select call_id, municipality_code, topic, operator_id, unit_id, unit_name, queued_at, ended_at,
               local_date, local_hour, local_weekday, outcome, answered, wait_seconds, handle_seconds, closed_unit_ids
        from call_facts_source where call_id = any (ids)
        on conflict (call_id) do nothing
        returning 1
    )
    select count(*)::int from made
$$;

-- Makes the facts of the given ended calls that have none yet; returns how many it made. A call whose
-- fact cannot be made (a bug, a constraint) must not hold up the others, so on an error they are made
-- one at a time and the failing ones are reported as warnings (statistics_backfill_facts() retries).
create function statistics_make_facts(ids uuid[]) returns integer language plpgsql as $$
declare
    made integer := 0;
    id uuid;
begin
    if ids is null or cardinality(ids) = 0 then
        return 0;
    end if;
    begin
        return statistics_insert_facts(ids);
    exception when others then
        null; -- one at a time below
    end;
    foreach id in array ids loop
        begin
            made := made + statistics_insert_facts(array[id]);
        exception when others then
            raise warning 'statistics: no fact for call %: %', id, sqlerrm;
        end;
    end loop;
    return made;
end $$;

-- The call's end only notes it: no fact, no sub-transaction.
create or replace function calls_to_facts() returns trigger language plpgsql as $$
begin
    insert into call_facts_due (call_id) values (new.id) on conflict do nothing;
    return null;
end $$;

-- A caller who calls again within the window after a transferred call: that transfer bounced back.
-- Almost no call finds one, so the look-up is all most intakes do; the fact is made and marked only
-- when there is one.
create or replace function calls_bounce_back() returns trigger language plpgsql as $$
declare
    previous uuid;
begin
    select c.id into previous from calls c, statistics_settings s
    where c.caller_number = new.caller_number and c.outcome = 'transferred' and c.id <> new.id
      and c.completed_at <= new.queued_at and c.completed_at >= new.queued_at - s.bounce_back_window
    order by c.completed_at desc
    limit 1;
    if previous is null then
        return null;
    end if;
    begin
        perform statistics_make_facts(array[previous]);
        update call_facts set bounced_back = true where call_id = previous and not bounced_back;
    exception when others then
        raise warning 'statistics: bounce-back not counted for call %: %', previous, sqlerrm;
    end;
    return null;
end $$;

-- A refusal recorded after the call ended reaches its fact. While the call is still going on there is
-- no fact to change: the fact, made later, reads the refusal from the call's events.
create or replace function call_events_closed_destination() returns trigger language plpgsql as $$
begin
    if not exists (select 1 from calls where id = new.call_id and state in ('completed', 'abandoned')) then
        return null;
    end if;
    perform statistics_make_facts(array[new.call_id]);
    update call_facts set closed_unit_ids = call_closed_units(new.call_id)
    where call_id = new.call_id and not (closed_unit_ids @> array[new.data ->> 'unitId']);
    return null;
exception when others then
    raise warning 'statistics: closed destination not counted for call %: %', new.call_id, sqlerrm;
    return null;
end $$;

create or replace function callback_follow_ups_to_facts() returns trigger language plpgsql as $$
begin
    perform statistics_make_facts(array(select call_id from callbacks where id = new.callback_id));
    update call_facts f set callback_result = new.result
    from callbacks c where c.id = new.callback_id and f.call_id = c.call_id;
    return null;
end $$;

-- Leaving wrap-up: the time belongs to the call the operator finished just before (or during) it,
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
drop trigger operators_status_log on operators;
create trigger operators_status_log_insert after insert on operators
    for each row execute function operators_status_log();
create trigger operators_status_log after update on operators
    for each row
    when (old.status is distinct from new.status or (old.disconnected_at is null) is distinct from (new.disconnected_at is null))
    execute function operators_status_log();

-- The 0415 flush keeps its work under a new name; the flush first makes the due calls' facts.
alter function statistics_flush(integer) rename to statistics_roll_up;

-- Makes the facts of at most max_facts due calls, then rolls up at most max_facts pending facts.
-- Returns the larger of the two counts, so the service calls it again while either was a full chunk.
create function statistics_flush(max_facts integer default 5000) returns integer language plpgsql as $$
declare
    ids uuid[];
    rolled integer;
begin
    perform pg_advisory_xact_lock(7415001);
    with taken as (
        delete from call_facts_due
        where call_id in (select call_id from call_facts_due limit max_facts)
        returning call_id
    )
    select array_agg(call_id) into ids from taken;
    -- A made fact notes itself as pending (call_facts_rollup), so the roll-up below includes it.
    perform statistics_make_facts(ids);
    rolled := statistics_roll_up(max_facts);
    return greatest(coalesce(cardinality(ids), 0), rolled);
end $$;
