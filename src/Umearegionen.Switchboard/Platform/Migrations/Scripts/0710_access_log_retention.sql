-- The access log's retention (PersonalData:Retention:AccessLogDays): the retention job deletes entries older than
-- that, in batches through access_log_time (occurred_at), and counts them per run.
alter table retention_runs add column access_log_entries integer not null default 0;
