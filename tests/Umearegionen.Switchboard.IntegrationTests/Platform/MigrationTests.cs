using Microsoft.Extensions.Logging.Abstractions;
using System.Text.RegularExpressions;
using Umearegionen.Switchboard.Platform.Migrations;

namespace Umearegionen.Switchboard.IntegrationTests.Platform;

public sealed class MigrationTests : IAsyncLifetime
{
    private string _connectionString = "";
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_connectionString);
    }

    /// <summary>Applies the migrations to the test's empty database and opens a connection to it.</summary>
    private async Task<NpgsqlConnection> MigratedDatabaseAsync()
    {
        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);
        return await _dataSource.OpenConnectionAsync();
    }

    [Fact]
    public async Task MigrationsApplyToAnEmptyDatabaseAndReapplyWithoutChange()
    {
        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);
        var first = await SchemaFingerprintAsync(_dataSource);
        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);
        var second = await SchemaFingerprintAsync(_dataSource);

        Assert.Contains("accounts", first.Tables);
        Assert.Contains("municipalities", first.Tables);
        Assert.Contains("audit_log", first.Tables);
        Assert.True(first.Scripts > 0);
        Assert.Contains("statistics_flush.sql", first.FunctionScripts, StringComparison.Ordinal);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task ConcurrentStartupsApplyEachScriptOnce()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Migrator.ApplyAsync(_dataSource, NullLogger.Instance)));

        await using var connection = await _dataSource.OpenConnectionAsync();
        var duplicates = await connection.ExecuteScalarAsync<long>(
            "select count(*) - count(distinct scriptname) from schemaversions");
        Assert.Equal(0, duplicates);
    }

    [Fact]
    public async Task ScriptNumberedBelowTheLastAppliedIsStillApplied()
    {
        // Features number their scripts in their own ranges, so a database that has run 0600 meets a new
        // 0120 or 0450 later: DbUp runs every script not in schemaversions, in name order.
        await using var connection = await MigratedDatabaseAsync();
        await connection.ExecuteAsync("""
            delete from schemaversions where scriptname like '%.0500_personal_data.sql';
            drop table retention_runs;
            """);

        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);

        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "select count(*) from pg_indexes where tablename = 'retention_runs'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "select count(*) from schemaversions where scriptname like '%.0500_personal_data.sql'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "select count(*) from schemaversions where scriptname like '%.0600_answers.sql'"));
    }

    [Fact]
    public async Task FunctionScriptWhoseTextChangedSinceItWasAppliedIsAppliedAgainOnTheNextStart()
    {
        await using var connection = await MigratedDatabaseAsync();
        // As if statistics_flush.sql had been edited since this database applied it: the function in the
        // database and the hash in the journal are another text's.
        await connection.ExecuteAsync("""
            create or replace function statistics_flush(max_facts integer default 5000) returns integer
                language sql as $$ select -1 $$;
            update schema_function_scripts set sha256 = repeat('0', 64) where script = 'statistics_flush.sql';
            """);

        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);

        Assert.Contains("statistics_roll_up(max_facts)", await FunctionSourceAsync(connection, "statistics_flush"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select statistics_flush()"));
        var script = FunctionScripts.Embedded().Single(s => s.Name == "statistics_flush.sql");
        Assert.Equal(script.Hash, await connection.ExecuteScalarAsync<string>(
            "select sha256 from schema_function_scripts where script = 'statistics_flush.sql'"));
    }

    [Fact]
    public async Task OnlyTheFunctionScriptsThatChangedAreAppliedAndApplyingThemTwiceChangesNothing()
    {
        await using var connection = await MigratedDatabaseAsync();
        // A function changed in the database by hand, whose script did not change: not applied again,
        // so the hand-made body stays (a re-applied trigger script would lock its table for nothing).
        await connection.ExecuteAsync("""
            create or replace function call_closed_units(p_call_id uuid) returns text[] language sql stable as $$
                select '{}'::text[] -- changed by hand
            $$;
            """);
        var scripts = FunctionScripts.Embedded()
            .Select(s => s.Name == "statistics_make_facts.sql"
                ? s with { Text = s.Text.Replace("null; -- one at a time below", "null; -- one at a time below (edited)", StringComparison.Ordinal) }
                : s)
            .ToList();
        Assert.NotEqual(FunctionScripts.Embedded().Single(s => s.Name == "statistics_make_facts.sql").Hash,
            scripts.Single(s => s.Name == "statistics_make_facts.sql").Hash);

        var first = await FunctionScripts.ApplyAsync(connection, scripts, NullLogger.Instance);
        var functions = await FunctionsFingerprintAsync(connection);
        var second = await FunctionScripts.ApplyAsync(connection, scripts, NullLogger.Instance);

        Assert.Equal(["statistics_make_facts.sql"], first);
        Assert.Contains("(edited)", await FunctionSourceAsync(connection, "statistics_make_facts"));
        Assert.Contains("changed by hand", await FunctionSourceAsync(connection, "call_closed_units"));
        Assert.Empty(second);
        Assert.Equal(functions, await FunctionsFingerprintAsync(connection));
    }

    [Fact]
    public void NumberedScriptsLeaveFunctionsTriggersAndViewsToTheFunctionScripts()
    {
        // Function scripts are applied after every numbered script, and only when they change: a
        // function, trigger or view defined in a numbered script would either not exist yet for a later
        // one or be overwritten by (or overwrite) its function script.
        var assembly = typeof(Migrator).Assembly;
        var offending = assembly.GetManifestResourceNames()
            .Where(Migrator.IsNumberedScript)
            .SelectMany(name =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return Regex.Matches(reader.ReadToEnd(), @"(?im)^\s*create\s+(or\s+replace\s+)?(function|procedure|trigger|view)\s+(\w+)")
                    .Select(m => $"{name.Split('.')[^2]}.sql: {m.Groups[2].Value} {m.Groups[3].Value}");
            })
            .ToList();

        Assert.True(offending.Count == 0,
            "Move these into a script of their own under Scripts/Functions and list it in FunctionScripts.Order: " +
            string.Join("; ", offending));
    }

    [Fact]
    public async Task DatabaseMigratedBeforeTheFoldWithEveryOldScriptIsKept()
    {
        await using var connection = await MigratedDatabaseAsync();
        await connection.ExecuteAsync("insert into dialled_numbers values ('+46900', '2480', 'kept')");
        var schema = await SchemaFingerprintAsync(_dataSource);
        var functions = await FunctionsFingerprintAsync(connection);
        // The journal of a database that ran the 32 scripts of before the fold, and no function scripts.
        await connection.ExecuteAsync("""
            insert into schemaversions (scriptname, applied)
            select 'Umearegionen.Switchboard.Platform.Migrations.Scripts.' || n, now() from unnest(@removed) n;
            drop table schema_function_scripts;
            """, new { removed = PreFoldJournal.Removed.ToArray() });

        await Migrator.ApplyAsync(_dataSource, NullLogger.Instance);

        Assert.Equal(schema, await SchemaFingerprintAsync(_dataSource));
        Assert.Equal(functions, await FunctionsFingerprintAsync(connection));
        Assert.Equal(FunctionScripts.Order.Count, await connection.ExecuteScalarAsync<long>("select count(*) from schema_function_scripts"));
        Assert.Equal("kept", await connection.ExecuteScalarAsync<string>("select description from dialled_numbers where number = '+46900'"));
    }

    [Fact]
    public async Task DatabaseThatStoppedPartWayThroughTheOldScriptsIsRefusedWithWhatToDo()
    {
        await using var connection = await MigratedDatabaseAsync();
        await connection.ExecuteAsync("""
            insert into schemaversions (scriptname, applied)
            select 'Umearegionen.Switchboard.Platform.Migrations.Scripts.' || n, now() from unnest(@removed) n
            where n < '0420';
            """, new { removed = PreFoldJournal.Removed.ToArray() });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.ApplyAsync(_dataSource, NullLogger.Instance));

        Assert.Contains("0420_statistics_facts_made_by_the_flush.sql", refused.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/local-postgres.sh drop-database switchboard", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0415_statistics_flush_set_based.sql", refused.Message, StringComparison.Ordinal);
    }

    private static Task<string> FunctionSourceAsync(NpgsqlConnection connection, string name) =>
        connection.ExecuteScalarAsync<string>("select prosrc from pg_proc where proname = @name", new { name })!;

    // Every function's, view's and trigger's definition, as PostgreSQL prints them.
    private static Task<string> FunctionsFingerprintAsync(NpgsqlConnection connection) =>
        connection.ExecuteScalarAsync<string>("""
            select md5(string_agg(d, E'\n' order by d)) from (
                select pg_get_functiondef(p.oid) as d from pg_proc p where p.pronamespace = 'public'::regnamespace
                    and not exists (select 1 from pg_depend e where e.objid = p.oid and e.deptype = 'e')
                union all
                select c.relname || pg_get_viewdef(c.oid) from pg_class c where c.relkind = 'v' and c.relnamespace = 'public'::regnamespace
                union all
                select pg_get_triggerdef(t.oid) from pg_trigger t where not t.tgisinternal
            ) x
            """)!;

    private static async Task<Fingerprint> SchemaFingerprintAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public' order by table_name")).ToList();
        var columns = await connection.ExecuteScalarAsync<long>(
            "select count(*) from information_schema.columns where table_schema = 'public'");
        var scripts = await connection.ExecuteScalarAsync<long>("select count(*) from schemaversions");
        var municipalities = await connection.ExecuteScalarAsync<long>("select count(*) from municipalities");
        var functions = await FunctionsFingerprintAsync(connection);
        var functionScripts = await connection.ExecuteScalarAsync<string>(
            "select string_agg(script || ' ' || sha256, ',' order by script) from schema_function_scripts") ?? "";
        return new Fingerprint(string.Join(",", tables), columns, scripts, municipalities, functions, functionScripts);
    }

    private sealed record Fingerprint(string Tables, long Columns, long Scripts, long Municipalities, string Functions, string FunctionScripts);
}
