-- Operators' open hub connections, and the node each is open on. An operator is connected
-- (operators.disconnected_at is null) while at least one row is here. The row and the operator's
-- disconnected_at change together, under the operator's row lock, so two nodes opening and closing
-- the same operator's connections at once agree. Rows of a node that is gone (its advisory lock is
-- released, 0003) are removed by the leader's sweeper, which starts those operators' grace period.
create table operator_connections (
    connection_id text primary key,
    account_id    uuid not null references operators (account_id),
    node_id       bigint not null,
    connected_at  timestamptz not null
);
create index operator_connections_account on operator_connections (account_id);
create index operator_connections_node on operator_connections (node_id);

-- Before nodes kept their connections here, none survived a restart: whoever still shows as
-- connected starts the grace period now.
update operators set disconnected_at = now(), last_seen_at = now() where disconnected_at is null;
