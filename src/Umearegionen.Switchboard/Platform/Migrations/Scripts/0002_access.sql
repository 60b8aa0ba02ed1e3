-- People who sign in, and systems (the telephony platform) that call with an API key.

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
