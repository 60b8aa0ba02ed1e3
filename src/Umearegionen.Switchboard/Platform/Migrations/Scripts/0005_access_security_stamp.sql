-- A per-account security stamp, changed whenever the account's existing sessions must end: the
-- account is disabled, an administrator sets its password, or its role changes. The service's
-- tokens carry the stamp they were issued with; a token whose stamp is no longer the account's is
-- refused (docs/decisions/0005-revocation-by-security-stamp.md).
alter table accounts
    add column security_stamp text not null default replace(gen_random_uuid()::text, '-', '');
