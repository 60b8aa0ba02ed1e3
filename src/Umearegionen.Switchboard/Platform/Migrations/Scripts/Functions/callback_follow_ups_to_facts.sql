-- A callback's follow-up (kept or missed) reaches the call's fact, made first if still due.
create or replace function callback_follow_ups_to_facts() returns trigger language plpgsql as $$
begin
    perform statistics_make_facts(array(select call_id from callbacks where id = new.callback_id));
    update call_facts f set callback_result = new.result
    from callbacks c where c.id = new.callback_id and f.call_id = c.call_id;
    return null;
end $$;
create or replace trigger callback_follow_ups_to_facts after insert or update on callback_follow_ups
    for each row execute function callback_follow_ups_to_facts();
