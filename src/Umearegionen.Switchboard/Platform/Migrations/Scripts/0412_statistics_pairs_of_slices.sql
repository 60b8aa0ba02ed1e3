-- Two slices at once from the rollups (docs/metrics.md "Two slices at once"): call_slices and call_slice_waits
-- also keep the pair unit,topic (dimension 'unit,topic'), made by the same per-fact functions
-- (Functions/call_fact_slice_keys.sql) in the same flush. Facts made before this script have no pair rows: a
-- database with history rebuilds its rollups once with select statistics_rebuild_rollup().
alter table call_slices drop constraint call_slices_dimension_check;
alter table call_slices add constraint call_slices_dimension_check
    check (dimension in ('unit', 'topic', 'operator', 'hour', 'wrapUpCategory', 'unit,topic'));
-- The keys' function takes the unit to stand for (a closed unit) as a second argument now.
drop function if exists call_fact_slice_keys(call_facts);
