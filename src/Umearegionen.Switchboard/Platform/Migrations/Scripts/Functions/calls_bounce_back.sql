-- A caller who calls again within the window after a transferred call: that transfer bounced back.
-- Almost no call finds one, so the look-up is all most intakes do; the fact is made and marked only
-- when there is one. A withheld number ("anonymous", CallIntake.CallerNumber) is no caller's number:
-- two anonymous calls are not one caller calling again (docs/metrics.md, "Bounce-backs"; decision
-- 0022), so it looks nothing up. The look-up reads the number's calls through calls_by_caller
-- (caller_number, queued_at; 0350_calls_end_made_hot.sql): a few for any real number. It has no
-- bound on queued_at, since a call may last any time before its transfer.
create or replace function calls_bounce_back() returns trigger language plpgsql as $$
declare
    previous uuid;
begin
    if new.caller_number is null or new.caller_number in ('', 'anonymous') then
        return null;
    end if;
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
create or replace trigger calls_bounce_back after insert on calls for each row execute function calls_bounce_back();
