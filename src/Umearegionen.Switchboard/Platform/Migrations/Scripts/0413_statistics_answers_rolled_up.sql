-- The answers' figures from a rollup (docs/metrics.md "Answers and first-contact resolution"): a fact keeps
-- which answer the call was answered with, whether that answer's link was sent in the call, and whether it was
-- transferred although an answer existed (call_transfers_with_answers); call_answer_daily adds them up per
-- local day, municipality, menu topic and answer, kept by the same flush as every rollup
-- (Functions/statistics_add.sql). Facts made before this script have none of it: a database with history
-- rebuilds its rollups once with select statistics_rebuild_rollup() after filling the columns from
-- call_answers, call_events and call_transfers_with_answers.
alter table call_facts add column answer_id uuid;
alter table call_facts add column answer_link_sent boolean not null default false;
alter table call_facts add column transferred_despite_answers boolean not null default false;
alter table call_facts alter column answer_id set statistics 30;
alter table call_facts alter column answer_link_sent set statistics 30;
alter table call_facts alter column transferred_despite_answers set statistics 30;

-- Answered calls only. answer_id '' for calls answered without an answer; topic '' without a menu choice.
create table call_answer_daily (
    local_date          date not null,
    municipality_code   text not null,
    topic               text not null,
    answer_id           text not null,
    -- Calls an operator took; of those settled by the switchboard (outcome answered: with answer_id, the uses);
    -- of the uses, those with the answer's link sent; calls transferred although an answer existed.
    answered            integer not null default 0,
    resolved            integer not null default 0,
    links_sent          integer not null default 0,
    transferred_despite integer not null default 0,
    primary key (local_date, municipality_code, topic, answer_id)
);
alter table call_answer_daily set (autovacuum_analyze_scale_factor = 0.5);
do $$
declare
    c text;
begin
    for c in select attname from pg_attribute where attrelid = 'call_answer_daily'::regclass and attnum > 0 and not attisdropped loop
        execute format('alter table call_answer_daily alter column %I set statistics 30', c);
    end loop;
end $$;
-- Finds an answer's uses in a period (the answers never used).
create index call_answer_daily_answer on call_answer_daily (answer_id, local_date) where answer_id <> '';
