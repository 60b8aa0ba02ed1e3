-- Bounce-backs find a caller's earlier transfers through calls_by_caller (caller_number, queued_at),
-- made by 0350_calls_end_made_hot.sql, with a withheld number left out (docs/metrics.md,
-- "Bounce-backs"; docs/decisions/0022). calls_transferred_by_caller named outcome in its predicate,
-- which the call's end sets: without it the end is a HOT update (docs/call-cost.md P11).
drop index calls_transferred_by_caller;
