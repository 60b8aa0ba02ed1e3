-- The rollups' upserts have one definition, statistics_add (Functions/statistics_add.sql), used by the flush
-- and by a change to a fact already added; statistics_apply, the one-fact copy of them, is gone.
drop function if exists statistics_apply(call_facts, integer);
