-- Access: people who sign in, systems (the telephony platform) that call with an API key, and the
-- access log of who opened personal data (docs/access.md, docs/personal-data.md).

create table accounts (
    id                uuid primary key,
    username          text not null,
    display_name      text not null,
    password_hash     text not null,
    role              text not null check (role in ('operator', 'editor', 'manager', 'administrator')),
    municipality_code text references municipalities (code),
    failed_logins     integer not null default 0,
    locked_until      timestamptz,
    disabled          boolean not null default false,
    created_at        timestamptz not null,
    -- Changed whenever the account's existing sessions must end: the account is disabled, an
    -- administrator sets its password, or its role changes. The service's tokens carry the stamp they
    -- were issued with; a token whose stamp is no longer the account's is refused
    -- (docs/decisions/0005-revocation-by-security-stamp.md).
    security_stamp    text not null default replace(gen_random_uuid()::text, '-', ''),
    -- An editor is bound to exactly one municipality; the other roles span the region.
    constraint editor_has_municipality check (role <> 'editor' or municipality_code is not null)
);
create unique index accounts_username on accounts (lower(username));

create table api_keys (
    id         uuid primary key,
    name       text not null,
    prefix     text not null unique,
    key_hash   bytea not null,
    role       text not null check (role in ('telephony')),
    created_at timestamptz not null,
    created_by text not null,
    revoked_at timestamptz
);

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
