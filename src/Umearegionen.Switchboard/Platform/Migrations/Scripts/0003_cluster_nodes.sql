-- The service's nodes (docs/decisions/0001, 0004). A node registers a row at start and
-- holds a session-level advisory lock on its id, (7401002, id), on a connection of its own for as
-- long as it runs. A node is alive exactly while PostgreSQL holds that lock: when its process dies,
-- or its connection is cut, PostgreSQL releases the lock, and the leader's sweeper removes the row
-- and what the node held (operator_connections). No clocks are compared to decide it.
create table cluster_nodes (
    id         bigint generated always as identity primary key,
    name       text not null,
    started_at timestamptz not null
);
