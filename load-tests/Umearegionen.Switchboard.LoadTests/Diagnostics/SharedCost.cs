using System.Diagnostics;
using System.Text;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>One table's cumulative row counters (pg_stat_user_tables) and how many indexes it has, of them partial (pg_index).</summary>
public sealed record TableCounters(string Table, long Inserted, long Updated, long HotUpdated, long Deleted, int Indexes, int PartialIndexes = 0);

/// <summary>
/// What the run cost the parts every node shares, from their own counters read once before the first
/// call and once after the last one ended: PostgreSQL's committed transactions (pg_stat_database, the
/// whole server and the service's database; read-only ones included), write transactions (the
/// transaction id counter's advance), WAL bytes (the WAL position's advance), WAL records and
/// full-page images (pg_stat_wal), each table's rows inserted, updated and deleted (pg_stat_user_tables)
/// and, with several nodes, the commands Redis processed (INFO stats).
/// </summary>
/// <remarks>
/// The pg_stat counters are kept by each backend and flushed to the shared statistics when it goes
/// idle, at most once a second, and by an idle backend within ten seconds (PGSTAT_IDLE_INTERVAL): a
/// reading is taken <see cref="StatsFlushWait"/> after the work it should include or exclude. The
/// transaction id and the WAL position are exact at once.
/// </remarks>
public sealed record SharedCounters(long Commits, long WalBytes, long? RedisCommands)
{
    /// <summary>Longer than PostgreSQL's PGSTAT_IDLE_INTERVAL (10 s): every idle backend has flushed its counters by then.</summary>
    public static readonly TimeSpan StatsFlushWait = TimeSpan.FromSeconds(11);

    /// <summary>Commits in the service's database only (pg_stat_database of current_database()).</summary>
    public long DatabaseCommits { get; init; }

    /// <summary>Rollbacks on the whole server.</summary>
    public long Rollbacks { get; init; }

    /// <summary>The transaction id this reading was given (pg_current_xact_id(): each reading takes one).</summary>
    public long TransactionId { get; init; }

    public long WalRecords { get; init; }

    public long WalFullPageImages { get; init; }

    public IReadOnlyList<TableCounters> Tables { get; init; } = [];

    public static async Task<SharedCounters> ReadAsync(string connectionString, int? redisPort, CancellationToken ct)
    {
        const string ServerSql = """
            select (select sum(xact_commit)::bigint from pg_stat_database),
                   (select xact_commit::bigint from pg_stat_database where datname = current_database()),
                   (select sum(xact_rollback)::bigint from pg_stat_database),
                   pg_current_xact_id()::text::bigint,
                   (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint,
                   (select wal_records::bigint from pg_stat_wal),
                   (select wal_fpi::bigint from pg_stat_wal)
            """;
        const string TablesSql = """
            select case when t.schemaname = 'public' then t.relname else t.schemaname || '.' || t.relname end,
                   t.n_tup_ins, t.n_tup_upd, t.n_tup_hot_upd, t.n_tup_del,
                   (select count(*) from pg_index i where i.indrelid = t.relid)::int,
                   (select count(*) from pg_index i where i.indrelid = t.relid and i.indpred is not null)::int
            from pg_stat_user_tables t
            """;
        // A connection of its own, not one from the pool: read once before the run and once after, with the
        // faults scenario's PostgreSQL restart between, a pooled one would be dead when it is taken again.
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        SharedCounters counters;
        await using (var command = new NpgsqlCommand(ServerSql, conn))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            counters = new SharedCounters(reader.GetInt64(0), reader.GetInt64(4), null)
            {
                DatabaseCommits = reader.GetInt64(1),
                Rollbacks = reader.GetInt64(2),
                TransactionId = reader.GetInt64(3),
                WalRecords = reader.GetInt64(5),
                WalFullPageImages = reader.GetInt64(6),
            };
        }

        var tables = new List<TableCounters>();
        await using (var command = new NpgsqlCommand(TablesSql, conn))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(new TableCounters(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt32(5), reader.GetInt32(6)));
            }
        }

        return counters with { Tables = tables, RedisCommands = redisPort is { } port ? await RedisCommandsAsync(port, ct) : null };
    }

    private static async Task<long?> RedisCommandsAsync(int port, CancellationToken ct)
    {
        var info = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "info", "stats"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return ParseCommands(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no redis-cli
        }
    }

    /// <summary>total_commands_processed from INFO's text.</summary>
    public static long? ParseCommands(string info) =>
        info.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("total_commands_processed:", StringComparison.Ordinal))
            .Select(l => long.TryParse(l["total_commands_processed:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (long?)null)
            .FirstOrDefault();

    /// <summary>One line for the report's facts: per call, from two readings.</summary>
    public static string PerCall(SharedCounters before, SharedCounters after, int calls) => CallCost.Between(before, after, calls).Line();
}

/// <summary>One table's share of the run: rows written per call and the index entries they imply.</summary>
public sealed record TableCost(string Table, int Indexes, long Inserted, long HotUpdated, long ColdUpdated, long Deleted, int PartialIndexes = 0)
{
    /// <summary>
    /// Derived, not counted by PostgreSQL: every inserted row and every update that is not HOT writes an
    /// entry into each of the table's indexes. A partial index takes one only when the new row matches its
    /// predicate, so with partial indexes this is an upper bound and <see cref="FullIndexEntries"/> a lower one.
    /// </summary>
    public long IndexEntries => (Inserted + ColdUpdated) * Indexes;

    /// <summary>The entries into the indexes that are not partial: written whatever the row holds.</summary>
    public long FullIndexEntries => (Inserted + ColdUpdated) * (Indexes - PartialIndexes);

    public long RowsWritten => Inserted + HotUpdated + ColdUpdated + Deleted;
}

/// <summary>What the calls of a run cost PostgreSQL (and Redis), as totals between two readings and per call.</summary>
public sealed record CallCost(int Calls, long Commits, long DatabaseCommits, long WriteTransactions, long Rollbacks, long WalBytes,
    long WalRecords, long WalFullPageImages, long? RedisCommands, IReadOnlyList<TableCost> Tables)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static CallCost Between(SharedCounters before, SharedCounters after, int calls)
    {
        var earlier = before.Tables.ToDictionary(t => t.Table, StringComparer.Ordinal);
        var tables = after.Tables.Select(t =>
            {
                var b = earlier.GetValueOrDefault(t.Table) ?? new TableCounters(t.Table, 0, 0, 0, 0, t.Indexes);
                var hot = t.HotUpdated - b.HotUpdated;
                return new TableCost(t.Table, t.Indexes, t.Inserted - b.Inserted, hot, t.Updated - b.Updated - hot, t.Deleted - b.Deleted, t.PartialIndexes);
            })
            .Where(t => t.RowsWritten != 0)
            .OrderByDescending(t => t.IndexEntries).ThenByDescending(t => t.RowsWritten).ThenBy(t => t.Table, StringComparer.Ordinal)
            .ToList();
        return new CallCost(calls, after.Commits - before.Commits, after.DatabaseCommits - before.DatabaseCommits,
            // The reading "before" took a transaction id of its own; "after" took the one it reads.
            Math.Max(0, after.TransactionId - before.TransactionId - 1), after.Rollbacks - before.Rollbacks,
            after.WalBytes - before.WalBytes, after.WalRecords - before.WalRecords, after.WalFullPageImages - before.WalFullPageImages,
            before.RedisCommands is { } r0 && after.RedisCommands is { } r1 ? r1 - r0 : null, tables)
        {
            WalFrom = before.WalBytes, WalTo = after.WalBytes,
        };
    }

    /// <summary>The WAL positions of the two readings (bytes from 0/0), for pg_waldump --start/--end.</summary>
    public long WalFrom { get; init; }

    public long WalTo { get; init; }

    /// <summary>A WAL position as PostgreSQL writes it (e.g. 0/1A2B3C4).</summary>
    public static string Lsn(long position) => string.Create(Invariant, $"{position >> 32:X}/{position & 0xFFFFFFFF:X}");

    private double Per(long total) => Calls > 0 ? (double)total / Calls : 0;

    public double CommitsPerCall => Per(Commits);

    /// <summary>Commits in the service's database: the calls' own (the generator's samplers read another database).</summary>
    public double DatabaseCommitsPerCall => Per(DatabaseCommits);

    public double WriteTransactionsPerCall => Per(WriteTransactions);

    public double WalBytesPerCall => Per(WalBytes);

    /// <summary>The short line of the report's facts.</summary>
    public string Line()
    {
        if (Calls <= 0) return "no calls";
        var text = string.Create(Invariant,
            $"PostgreSQL {DatabaseCommitsPerCall:0.0} commits in the service's database ({WriteTransactionsPerCall:0.0} writing transactions), {WalBytesPerCall / 1024:0.0} kB of WAL " +
            $"in {Per(WalRecords):0} records, up to {Per(Tables.Sum(t => t.IndexEntries)):0.0} index entries per call");
        if (RedisCommands is { } redis)
        {
            text += string.Create(Invariant, $"; Redis {Per(redis):0.0} commands per call (the backplane's publishes and subscriptions)");
        }

        return text + " (whole server, from the first arrival until every call had ended; table: \"What a call cost PostgreSQL\")";
    }

    /// <summary>The report's section: the server's counters, then each table's rows and index entries, per call.</summary>
    public string Markdown()
    {
        if (Calls <= 0) return "No calls.";
        var md = new StringBuilder();
        md.AppendLine(Invariant,
            $"PostgreSQL's own counters read once before the first arrival and once after every call had ended (each reading {SharedCounters.StatsFlushWait.TotalSeconds:0} s " +
            $"after the work before it, so that every backend has flushed its statistics), divided by the {Calls} calls started. They include whatever " +
            $"else ran meanwhile: the dashboards' snapshots, presence, the sweeper, the statistics flush, autovacuum and the generator's own reads.");
        md.AppendLine();
        md.AppendLine("| measure | per call | total |");
        md.AppendLine("| --- | ---: | ---: |");
        Row("transactions committed (whole server, read-only ones included; pg_stat_database)", Commits);
        Row("of them in the service's database (the calls' own: the generator samples from the database postgres)", DatabaseCommits);
        Row("write transactions (transaction ids taken, less the reading's own; pg_current_xact_id)", WriteTransactions);
        Row("transactions rolled back (whole server)", Rollbacks);
        Row("WAL bytes (pg_current_wal_lsn's advance)", WalBytes, "0");
        Row("WAL records (pg_stat_wal)", WalRecords);
        Row("WAL full-page images (pg_stat_wal)", WalFullPageImages);
        Row("rows inserted (pg_stat_user_tables)", Tables.Sum(t => t.Inserted));
        Row("rows updated, HOT", Tables.Sum(t => t.HotUpdated));
        Row("rows updated, not HOT", Tables.Sum(t => t.ColdUpdated));
        Row("rows deleted", Tables.Sum(t => t.Deleted));
        Row("index entries written (derived: (inserted + updated not HOT) × the table's indexes; partial ones counted as if matched)", Tables.Sum(t => t.IndexEntries));
        Row("of them into indexes that are not partial (a lower bound)", Tables.Sum(t => t.FullIndexEntries));
        if (RedisCommands is { } redis) Row("Redis commands (INFO stats)", redis);
        md.AppendLine();
        md.AppendLine(Invariant,
            $"The run's WAL lies from {Lsn(WalFrom)} to {Lsn(WalTo)}: `pg_waldump --start {Lsn(WalFrom)} --end {Lsn(WalTo)} --stats=record -p <data>/pg_wal` " +
            $"tells what its records are, while the segments are still there.");
        md.AppendLine();
        md.AppendLine("Per table, per call (tables with no row written left out; index entries derived as above):");
        md.AppendLine();
        md.AppendLine("| table | indexes (partial) | inserted | updated HOT | updated not HOT | deleted | index entries (at most) | into full indexes |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var t in Tables)
        {
            md.AppendLine(Invariant,
                $"| {t.Table} | {t.Indexes} ({t.PartialIndexes}) | {Per(t.Inserted):0.00} | {Per(t.HotUpdated):0.00} | {Per(t.ColdUpdated):0.00} | {Per(t.Deleted):0.00} | " +
                $"{Per(t.IndexEntries):0.00} | {Per(t.FullIndexEntries):0.00} |");
        }

        return md.ToString();

        void Row(string name, long total, string format = "0.00") =>
            md.AppendLine(Invariant, $"| {name} | {Per(total).ToString(format, Invariant)} | {total} |");
    }

    /// <summary>The same as CSV: scope (server or a table), measure, total, per call.</summary>
    public string Csv()
    {
        var csv = new StringBuilder();
        csv.AppendLine("scope,measure,total,per call");
        Line("server", "commits", Commits);
        Line("server", "commits in the service's database", DatabaseCommits);
        Line("server", "write transactions", WriteTransactions);
        Line("server", "rollbacks", Rollbacks);
        Line("server", "WAL bytes", WalBytes);
        Line("server", "WAL records", WalRecords);
        Line("server", "WAL full-page images", WalFullPageImages);
        Line("server", "index entries (derived, at most)", Tables.Sum(t => t.IndexEntries));
        Line("server", "index entries into full indexes (derived)", Tables.Sum(t => t.FullIndexEntries));
        if (RedisCommands is { } redis) Line("redis", "commands", redis);
        foreach (var t in Tables)
        {
            Line(t.Table, "inserted", t.Inserted);
            Line(t.Table, "updated HOT", t.HotUpdated);
            Line(t.Table, "updated not HOT", t.ColdUpdated);
            Line(t.Table, "deleted", t.Deleted);
            Line(t.Table, "index entries (derived, at most)", t.IndexEntries);
            Line(t.Table, "index entries into full indexes (derived)", t.FullIndexEntries);
        }

        return csv.ToString();

        void Line(string scope, string measure, long total) =>
            csv.AppendLine(Invariant, $"{Quote(scope)},{Quote(measure)},{total},{Per(total):0.####}");
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
