using System.Security.Cryptography;

namespace Umearegionen.Switchboard.Platform.Migrations;

/// <summary>
/// The PostgreSQL functions, their triggers and the views, one current definition each, in
/// Scripts/Functions. Applied after the numbered scripts, in <see cref="Order"/>, under the same advisory
/// lock. A script is applied again when its text changes: schema_function_scripts keeps each script's
/// name and the SHA-256 of its text. So every script must be re-runnable: <c>create or replace</c>
/// function, view and trigger. (DbUp 6.1 has run-once and run-always scripts, no run-on-change.)
/// </summary>
internal static partial class FunctionScripts
{
    private const string ResourcePrefix = "Umearegionen.Switchboard.Platform.Migrations.Scripts.Functions.";

    /// <summary>
    /// The order the scripts are applied in on a new database: a script comes after every one whose
    /// objects it uses (a trigger after its function, a view after the functions it calls, an SQL
    /// function after the views and functions its body reads). A script that is not listed here stops
    /// the start-up.
    /// </summary>
    public static readonly IReadOnlyList<string> Order =
    [
        // Directory and answers: the search rows and the change notifications.
        "directory_search_text.sql",
        "directory_search_words.sql",
        "directory_units_index.sql",
        "directory_people_index.sql",
        "answers_index.sql",
        "directory_changed_notify.sql",

        // Statistics: what one fact contributes, the recounts, the roll-up of pending facts ...
        "call_fact_daily.sql",
        "call_fact_slice_keys.sql",
        "call_fact_slices.sql",
        "statistics_rollups_recomputed.sql",
        "statistics_add.sql",
        "statistics_recount_rollup.sql",
        "statistics_rebuild_rollup.sql",
        "call_facts_rollup.sql",
        "statistics_roll_up.sql",
        // ... making the facts of ended calls, the flush ...
        "call_closed_units.sql",
        "call_facts_source.sql",
        "statistics_insert_facts.sql",
        "statistics_make_facts.sql",
        "statistics_backfill_facts.sql",
        "statistics_flush.sql",
        // ... and the triggers on routing's tables that feed them.
        "calls_to_facts.sql",
        "calls_bounce_back.sql",
        "call_events_closed_destination.sql",
        "callback_follow_ups_to_facts.sql",
        "operators_status_log.sql",
        // Routing: a call is never deleted, its events and instructions having no foreign key to it (decision 0020).
        "calls_never_deleted.sql",
        // Routing: a call's history as its events, an offer made on arrival shown as its own event (decision 0023).
        "call_history_events.sql",
        // Answers: a change to answers first makes the due transfers' facts, which record the answers there were.
        "answers_settle_transfers.sql",
    ];

    public sealed record Script(string Name, string Text)
    {
        /// <summary>SHA-256 (hex) of the text with its line ends as \n, so a checkout's line ends do not count as a change.</summary>
        public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text.ReplaceLineEndings("\n"))));
    }

    /// <summary>The embedded scripts in <see cref="Order"/>; throws when a script is not listed or a listed one is missing.</summary>
    public static IReadOnlyList<Script> Embedded()
    {
        var assembly = typeof(FunctionScripts).Assembly;
        var embedded = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToDictionary(n => n[ResourcePrefix.Length..], StringComparer.Ordinal);

        var unlisted = embedded.Keys.Except(Order, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unlisted.Count > 0)
        {
            throw new InvalidOperationException(
                $"Function script(s) {string.Join(", ", unlisted)} not listed in FunctionScripts.Order " +
                "(Platform/Migrations/FunctionScripts.cs): add each after the scripts whose objects it uses.");
        }

        var missing = Order.Except(embedded.Keys, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"FunctionScripts.Order lists {string.Join(", ", missing)}, which is not in Scripts/Functions.");
        }

        return Order.Select(name =>
        {
            using var stream = assembly.GetManifestResourceStream(embedded[name])!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return new Script(name, reader.ReadToEnd());
        }).ToList();
    }

    /// <summary>
    /// Applies, in the given order, each script whose text is new or changed since it was last applied,
    /// each in a transaction of its own with its journal row. Returns the names applied. The caller
    /// holds the migrations' advisory lock.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<Script> scripts, ILogger logger)
    {
        await using (var create = new NpgsqlCommand("""
            create table if not exists schema_function_scripts (
                script     text primary key,
                sha256     text not null,
                applied_at timestamptz not null
            )
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("select script, sha256 from schema_function_scripts", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                applied[reader.GetString(0)] = reader.GetString(1);
            }
        }

        var done = new List<string>();
        foreach (var script in scripts)
        {
            if (applied.TryGetValue(script.Name, out var hash) && hash == script.Hash)
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync();
            try
            {
                await using (var run = new NpgsqlCommand(script.Text, connection, transaction))
                {
                    await run.ExecuteNonQueryAsync();
                }

                await using (var journal = new NpgsqlCommand("""
                    insert into schema_function_scripts (script, sha256, applied_at) values (@script, @sha256, now())
                    on conflict (script) do update set sha256 = excluded.sha256, applied_at = excluded.applied_at
                    """, connection, transaction))
                {
                    journal.Parameters.AddWithValue("script", script.Name);
                    journal.Parameters.AddWithValue("sha256", script.Hash);
                    await journal.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException(
                    $"Function script {script.Name} failed: {ex.MessageText}. Nothing of that script was applied; " +
                    "fix the script (a change PostgreSQL cannot make with create or replace needs a drop first) and start again.",
                    ex);
            }

            LogApplied(logger, script.Name, applied.ContainsKey(script.Name) ? "changed" : "new");
            done.Add(script.Name);
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Function script {Script} applied ({Why})")]
    private static partial void LogApplied(ILogger logger, string script, string why);
}
