-- The access log: who opened personal data (a call's history with its number, a register
-- extract, an erasure) and every privileged change (accounts, roles, passwords, API keys), and
-- failed logins. Readable by administrators (GET /api/access-log); docs/personal-data.md.
--
-- It holds no citizen's data in clear text: a phone number or name that was searched for is
-- stored as a keyed hash (subject_hash), so "who looked up this number?" can be answered by
-- hashing the number again, while a scan of the table finds no trace of it.
create table access_log (
    id          bigint generated always as identity primary key,
    occurred_at timestamptz not null,
    actor_id    text not null,
    actor_name  text not null,
    actor_role  text not null,
    action      text not null,
    -- What was opened or changed: 'call', 'account', 'api_key', 'phone_number', 'name'.
    target_kind text not null,
    -- An id (call, account, API key); null when the target is a searched number or name.
    target_id   text,
    -- HMAC-SHA256 (hex) of the normalised number or name searched for, keyed by
    -- personal_data_keys.access_log_key; null otherwise.
    subject_hash text,
    -- Free text without citizens' data: the reason given for an erasure, "operator → manager".
    detail      text,
    -- How many records the action showed or changed, where that is meaningful.
    record_count integer
);
create index access_log_time on access_log (occurred_at);
create index access_log_subject on access_log (subject_hash) where subject_hash is not null;

-- The key of the access log's hashes, generated in the database on first migration and never
-- written anywhere else.
create table personal_data_keys (
    id             boolean primary key default true check (id),
    access_log_key text not null
);
insert into personal_data_keys (access_log_key)
values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
