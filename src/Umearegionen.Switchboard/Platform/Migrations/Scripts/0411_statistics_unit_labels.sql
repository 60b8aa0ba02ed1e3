-- Names beside unit keys: the name the period's latest call to the unit carried, found per unit
-- through this index instead of reading every fact of the period (SummaryQueries.LabelsAsync).
create index call_facts_unit on call_facts (unit_id, local_date) where unit_id is not null;
