-- No foreign-key checks on the call's path (issue 28, docs/call-cost.md P7; docs/decisions/0020).
-- Each check locked the parent row FOR KEY SHARE, a WAL record per parent and transaction (and a
-- multixact when two intakes locked the same municipality at once): measured 7 on calls, 2 on accounts
-- and 1 on municipalities per call life, for checks that never fail. Every statement that writes these
-- columns takes the value from the parent's row in the same statement (the call's row; dialled_numbers
-- for the municipality; the operator's locked row for offered_to and operator_id), and no row of
-- calls, accounts or municipalities is ever deleted: removal of personal data is in place (decision
-- 0006), and a delete from calls is refused (Functions/calls_never_deleted.sql).
-- Routing/ReferencesWithoutForeignKeysTests checks that no call life leaves an orphan.
alter table call_events drop constraint call_events_call_id_fkey;
alter table telephony_instructions drop constraint telephony_instructions_call_id_fkey;
alter table call_queue drop constraint call_queue_call_id_fkey;
alter table calls drop constraint calls_municipality_code_fkey,
                  drop constraint calls_offered_to_fkey,
                  drop constraint calls_operator_id_fkey;
