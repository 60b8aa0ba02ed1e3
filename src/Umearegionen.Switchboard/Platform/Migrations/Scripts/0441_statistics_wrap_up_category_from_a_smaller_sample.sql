-- call_facts.wrap_up_category (0440) gets the statistics target of every other column of the tables each
-- call writes: ANALYZE samples 9,000 rows, not 30,000 (docs/decisions/0011). StatisticsSampleTests checks it.
alter table call_facts alter column wrap_up_category set statistics 30;
