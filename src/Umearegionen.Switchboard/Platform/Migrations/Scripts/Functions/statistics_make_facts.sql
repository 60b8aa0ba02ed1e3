-- Makes the facts of the given ended calls that have none yet; returns how many it made. A call whose
-- fact cannot be made (a bug, a constraint) must not hold up the others, so on an error they are made
-- one at a time and the failing ones are reported as warnings (statistics_backfill_facts() retries).
create or replace function statistics_make_facts(ids uuid[]) returns integer language plpgsql as $$
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
