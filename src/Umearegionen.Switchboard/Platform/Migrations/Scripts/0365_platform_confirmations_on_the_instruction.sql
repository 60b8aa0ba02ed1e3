-- The platform's confirmations as columns on the instruction they answer (issue 28, docs/call-cost.md;
-- docs/decisions/0026). A report's event that names the instruction it answers (instructionSeq) and
-- only adds to the history is stored on that instruction's row, in the update that acknowledges it,
-- not as a call_events row: `answered` on a connect, `transferred` on a transfer, `ended` on an end
-- (reported_*), and the `ended` after a transfer (ended_*). The ids are taken from call_events' own
-- sequence when the event is stored, so the view call_history_events orders it among the call's
-- events as a row would be. Nullable, no default: adding them rewrites nothing; no index names them,
-- so the update stays HOT (0321).
alter table telephony_instructions
    add column reported_type text,
    add column reported_event_id text,
    add column reported_at timestamptz,
    add column reported_id bigint,
    add column ended_event_id text,
    add column ended_at timestamptz,
    add column ended_id bigint;
