-- The keys one fact has in each slice (the call's own row per dimension). A new dimension is a new
-- key here, in call_slices' check (a numbered script) and in the *_recomputed views.
create or replace function call_fact_slice_keys(f call_facts) returns table (dimension text, key text) language sql immutable as $$
    values ('unit', coalesce(f.unit_id, '')), ('topic', coalesce(f.topic, '')),
           ('operator', coalesce(f.operator_id::text, '')), ('hour', lpad(f.local_hour::text, 2, '0')),
           ('wrapUpCategory', coalesce(f.wrap_up_category, ''))
$$;
