-- The columns 0365 added to telephony_instructions take the small statistics target every column of the
-- tables each call writes has (docs/decisions/0011): one column left at the default would bring back
-- ANALYZE's large sample for the whole table.
alter table telephony_instructions
    alter column reported_type set statistics 30,
    alter column reported_event_id set statistics 30,
    alter column reported_at set statistics 30,
    alter column reported_id set statistics 30,
    alter column ended_event_id set statistics 30,
    alter column ended_at set statistics 30,
    alter column ended_id set statistics 30;
