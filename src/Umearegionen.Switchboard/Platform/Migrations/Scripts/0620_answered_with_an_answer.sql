-- Answered with an answer (docs/answers.md, docs/metrics.md "Answers"): a call the operator settled
-- by reading out an answer keeps which answer, and a transfer made while an answer existed for the
-- call's municipality and menu topic keeps which answers those were. Both are tables keyed by call id
-- beside call_facts, so the statistics' facts, rollups and flush stay as they are; the answers'
-- figures join them to call_facts.

-- One row per call ended "answered with an answer" (outcome 'answered'), written in the statement that
-- ends the call. No reference to answers: the figure and the call's history outlive a removed answer,
-- with the question as it read when it was used.
create table call_answers (
    call_id     uuid primary key references calls (id),
    answer_id   uuid not null,
    question    text not null,
    answered_at timestamptz not null
);
create index call_answers_answer on call_answers (answer_id);

-- One row per transferred call for which, at the moment of the transfer, at least one answer was valid
-- (on that local day, Europe/Stockholm) for the call's municipality (its own or a shared answer) and
-- had the call's menu topic among its topics (case-insensitive). Kept at the time, because an answer
-- written, changed or removed later must not change whether the call "could have been answered".
create table call_transfers_with_answers (
    call_id    uuid primary key references calls (id),
    answer_ids uuid[] not null,
    questions  text[] not null
);

-- Filled by the trigger in Functions/calls_transferred_with_answers.sql.
