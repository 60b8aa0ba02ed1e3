-- Before any change to answers, the facts of transferred calls still due are made (statistics_insert_facts
-- records which answers existed for them), so "transferred although an answer existed" reads the answers as
-- they were at the transfer, not as they are when the flush comes (docs/metrics.md "Answers"). Answers change
-- rarely (editors, imports); the transfers due are at most the calls of one flush interval. Under the flush's
-- lock, so the facts are made in one order at a time.
create or replace function answers_settle_transfers() returns trigger language plpgsql as $$
begin
    perform pg_advisory_xact_lock(7415001);
    perform statistics_make_facts(array(
        select d.call_id from call_facts_due d join calls c on c.id = d.call_id
        where c.outcome = 'transferred' and c.menu_topic is not null));
    return null;
end $$;

create or replace trigger answers_settle_transfers before insert or update or delete on answers
    for each statement execute function answers_settle_transfers();
