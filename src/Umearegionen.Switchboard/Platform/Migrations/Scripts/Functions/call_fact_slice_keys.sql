-- The keys one fact has in each slice (the call's own row per dimension), and in the pair of slices kept as a
-- rollup of its own: 'unit,topic', key the unit's and the topic's keys joined by chr(31), which no key holds
-- (SummaryQueries turns it into 'unit|topic' or 'topic|unit' as asked). p_unit, when given, stands for the
-- fact's unit (a closed unit it was refused: call_fact_slices). A new dimension or pair is a new key here, in
-- call_slices' check (a numbered script) and in Dimensions.RolledUpPairs.
--
-- Only this pair: the other nine pairs of the five slices would more than double the flush's WAL (measured on
-- a probe of 400 facts per flush with keys spread evenly: about 3.8 kB per fact for the five slices, 4.6 kB
-- with unit,topic, 9.5 kB with all ten pairs; docs/metrics.md "Two slices at once"); they read the facts.
create or replace function call_fact_slice_keys(f call_facts, p_unit text default null) returns table (dimension text, key text)
language sql immutable as $$
    values ('unit', coalesce(p_unit, f.unit_id, '')), ('topic', coalesce(f.topic, '')),
           ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
           ('wrapUpCategory', coalesce(f.wrap_up_category, '')),
           ('unit,topic', coalesce(p_unit, f.unit_id, '') || chr(31) || coalesce(f.topic, ''))
$$;
