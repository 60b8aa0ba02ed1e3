-- The call's end only notes it for the flush (call_facts_due): no fact, no sub-transaction in the
-- statement that ends the call. Measured under load (docs/decisions/0013): making the fact there
-- took ending a call from 1.5 to 5.3 ms at 200 calls/s.
create or replace function calls_to_facts() returns trigger language plpgsql as $$
begin
    insert into call_facts_due (call_id) values (new.id) on conflict do nothing;
    return null;
end $$;
create or replace trigger calls_to_facts after update of state on calls
    for each row when (new.state in ('completed', 'abandoned') and old.state is distinct from new.state)
    execute function calls_to_facts();
