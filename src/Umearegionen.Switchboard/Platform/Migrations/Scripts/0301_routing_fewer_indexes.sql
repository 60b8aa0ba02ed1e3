-- Routing: fewer indexes to keep up. Under load, PostgreSQL's CPU and its write-ahead log per call
-- were the bottleneck (about 80 WAL records per call, half of them B-tree leaf inserts;
-- docs/decisions/0010). An update that changes an indexed column, or a column in an index's
-- predicate, cannot be HOT: it adds an entry to every index of the table whose predicate the new row
-- matches. `state` is in the predicates of several partial indexes on calls, so every state change
-- of a call pays for each of those that matches. This drops the three indexes that no query needs.
--
-- Numbered 0301, in routing's range (docs/architecture.md), although existing databases have run
-- statistics' scripts up to 0415 already. DbUp (Platform/Migrations/Migrator.cs) runs every embedded
-- script whose name is not yet in schemaversions, in name order; it does not skip numbers below the
-- last one applied. So a database at 0415 runs 0301 at its next start, and a new database runs it
-- between 0300 and 0400 (no script from 0400 on uses these indexes).
-- MigrationTests.ScriptNumberedBelowTheLastAppliedIsStillApplied checks the former.

-- calls_waiting (state in ('queued', 'offered')): an entry at every queueing, every offer and every
-- offer that went back to the queue. Its one reader, the queue snapshot (Routing/LiveView.cs), now
-- reads calls_queue (state = 'queued', the same key order) and calls_one_offer_per_operator
-- (state = 'offered', at most one row per operator).
drop index calls_waiting;

-- calls_offer_expiry (offer_expires_at where state = 'offered'): an entry at every offer. Its one
-- reader, the sweeper's expired offers (Routing/Sweeper.cs), reads the offered calls through
-- calls_one_offer_per_operator: there is at most one per operator, so it reads a few hundred
-- entries at most and checks each one's expiry.
drop index calls_offer_expiry;

-- operators_available (idle_since where status = 'available' and disconnected_at is null): operators
-- has one row per operator (hundreds at most), and no query reads it through this index: the
-- dispatcher reads every free operator and RoutingPolicy orders them in memory. Every finished call
-- sets idle_since, and status changes and (dis)connections change its predicate's columns, so none
-- of those updates could be HOT. Measured on 300 operator rows, 30,000 updates of idle_since from one
-- client: 0 HOT with this index, 29,982 without it; WAL 9.3 MB against 5.4 MB.
drop index operators_available;

-- Half of each page of operators left free, so that an updated row's new version finds room on its
-- own page, which a HOT update needs. Measured as above but from 4 clients, beside a session holding
-- a snapshot for 200 ms at a time (dead versions cannot be pruned meanwhile): 365 and 459 of 30,000
-- updates were not HOT at the default fillfactor (100), 147 and 167 at 50. The cost is a few pages.
-- Setting it rewrites nothing: full pages stay full until their dead versions are pruned, and new
-- rows and versions that need another page leave half of it free.
alter table operators set (fillfactor = 50);
