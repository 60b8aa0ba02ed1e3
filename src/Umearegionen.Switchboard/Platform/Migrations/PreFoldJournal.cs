namespace Umearegionen.Switchboard.Platform.Migrations;

/// <summary>
/// Databases migrated before the scripts were folded into one per feature (December 2026) have a
/// journal naming the 32 scripts of then. When all 32 are there, the schema is the one the folded
/// scripts make (compared with pg_dump when they were folded), so the journal rows of the scripts that
/// no longer exist are removed and the database is kept, data and all; the function scripts are then
/// applied to it, which re-creates its functions, triggers and views as they were. A database that
/// stopped part-way through the old scripts cannot be brought forward: the start-up stops and says to
/// drop it (there is no production database from before the fold).
/// </summary>
internal static partial class PreFoldJournal
{
    private const string Prefix = "Umearegionen.Switchboard.Platform.Migrations.Scripts.";

    /// <summary>The old scripts that were folded away (the other eight kept their names).</summary>
    internal static readonly IReadOnlyList<string> Removed =
    [
        "0003_cluster_nodes.sql", "0004_access_log.sql", "0005_access_security_stamp.sql",
        "0110_directory_populations_per_year.sql", "0210_directory_change_notifications.sql",
        "0301_routing_fewer_indexes.sql", "0302_routing_offers_counted_on_the_operator.sql",
        "0303_routing_statistics_from_a_smaller_sample.sql", "0304_routing_analysed_less_often.sql",
        "0305_routing_operator_connections.sql", "0306_routing_calls_by_caller.sql", "0310_routing_after_call_work.sql",
        "0410_statistics_closed_destinations_and_slices.sql", "0411_statistics_unit_labels.sql",
        "0412_statistics_rollup_off_the_call_path.sql", "0413_statistics_pending_facts_locked_by_row.sql",
        "0414_statistics_flush_in_chunks.sql", "0415_statistics_flush_set_based.sql",
        "0420_statistics_facts_made_by_the_flush.sql", "0421_statistics_analysed_from_a_smaller_sample.sql",
        "0422_statistics_rollups_analysed_less_often.sql", "0440_statistics_wrap_up_category_slice.sql",
        "0441_statistics_wrap_up_category_from_a_smaller_sample.sql", "0601_notices_point_to_answers.sql",
    ];

    /// <summary>The old scripts whose names the folded ones kept.</summary>
    internal static readonly IReadOnlyList<string> Kept =
    [
        "0001_platform.sql", "0002_access.sql", "0100_directory.sql", "0200_opening_hours.sql", "0300_routing.sql",
        "0400_statistics.sql", "0500_personal_data.sql", "0600_answers.sql",
    ];

    public static async Task AdoptAsync(NpgsqlConnection connection, ILogger logger)
    {
        await using (var exists = new NpgsqlCommand("select to_regclass('schemaversions') is not null", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync())!)
            {
                return;
            }
        }

        var journal = new HashSet<string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("select scriptname from schemaversions", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                journal.Add(reader.GetString(0));
            }
        }

        var removed = Removed.Where(n => journal.Contains(Prefix + n)).ToList();
        if (removed.Count == 0)
        {
            return;
        }

        var lacking = Removed.Concat(Kept).Where(n => !journal.Contains(Prefix + n)).ToList();
        if (lacking.Count > 0)
        {
            throw new InvalidOperationException(
                $"Database {connection.Database} was migrated by a version of the service from before the migration " +
                $"scripts were folded into one per feature, and stopped before {string.Join(", ", lacking)}; it cannot be " +
                "brought forward. Drop it and start again (the checkout's demo database: scripts/local-postgres.sh " +
                "drop-database switchboard, then scripts/run.sh); README, \"Migrations\".");
        }

        await using (var delete = new NpgsqlCommand("delete from schemaversions where scriptname = any (@names)", connection))
        {
            delete.Parameters.AddWithValue("names", removed.Select(n => Prefix + n).ToArray());
            await delete.ExecuteNonQueryAsync();
        }

        LogAdopted(logger, connection.Database, removed.Count);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Database {Database} was migrated before the scripts were folded; its schema is the folded scripts', so {Count} old journal rows were removed and the database kept")]
    private static partial void LogAdopted(ILogger logger, string database, int count);
}
