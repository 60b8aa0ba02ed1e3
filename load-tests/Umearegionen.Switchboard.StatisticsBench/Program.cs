using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Umearegionen.Switchboard.Platform;
using Umearegionen.Switchboard.Platform.Migrations;
using Umearegionen.Switchboard.Statistics;
using Umearegionen.Switchboard.StatisticsBench;

// Statistics benchmark: a year of history at ten times today's volume, then the summaries timed.
//   dotnet run -c Release --project load-tests/Umearegionen.Switchboard.StatisticsBench -- \
//       --admin "<admin connection string>" [--calls 5000000] [--year 2025] [--runs 5] [--reuse] [--database <name>]
//       [--verify] [--verify-facts] [--generate-only]
// --verify-facts compares the generated facts with the service's statistics_backfill_facts() (a smaller --calls);
// --generate-only stops after the generation and its counts (no queries timed).
// Without --admin the server is SWITCHBOARD_BENCH_PG (an admin connection string), else the project-local cluster
// (scripts/local-postgres.sh), started when it is not: load-tests/Shared/BenchServer.cs, as for the other benchmarks.
// The generation needs a superuser (it loads with session_replication_role = replica); how it works: HistoryGenerator,
// docs/load-tests.md.
var arguments = Args.Parse(args);
var calls = arguments.Int("--calls", 5_000_000);
var year = arguments.Int("--year", 2025);
var runs = arguments.Int("--runs", 5);
var admin = arguments.Text("--admin") ?? BenchServer.AdminConnectionString();
var database = arguments.Text("--database") ?? "statistics_bench";
DapperSetup.Configure();

var target = new NpgsqlConnectionStringBuilder(admin) { Database = database, CommandTimeout = 0 }.ConnectionString;
await using (var adminSource = NpgsqlDataSource.Create(admin))
{
    var exists = await adminSource.CreateCommand($"select count(*) from pg_database where datname = '{database}'").ExecuteScalarAsync() is long n && n > 0;
    if (exists && !arguments.Flag("--reuse"))
    {
        await adminSource.CreateCommand($"drop database {database} with (force)").ExecuteNonQueryAsync();
        exists = false;
    }

    if (!exists)
    {
        await adminSource.CreateCommand($"create database {database}").ExecuteNonQueryAsync();
    }
}

await using var dataSource = NpgsqlDataSource.Create(target);
var migrating = Stopwatch.StartNew();
await Migrator.ApplyAsync(dataSource, NullLogger.Instance);
Console.WriteLine($"Migrations applied in {migrating.Elapsed.TotalSeconds:F1} s");
var stored = (long)(await dataSource.CreateCommand("select count(*) from call_facts").ExecuteScalarAsync())!;
if (stored == 0)
{
    Console.WriteLine($"Generating {calls:N0} calls in {year} … (each step: wall-clock time, CPU of the server processes serving it, load average at its end)");
    var watch = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    await HistoryGenerator.GenerateAsync(dataSource, calls, year);
    Console.WriteLine(StepCost.Line("total", watch.Elapsed, null, StepCost.LoadAverage()) +
                      $"   (the benchmark's own CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s)");
}
else if (await dataSource.CreateCommand("select to_regclass('calls_pkey') is null or to_regclass('call_slice_waits_pkey') is null").ExecuteScalarAsync() is true)
{
    // The generation sets the tables' indexes aside and makes them again at its end.
    Console.Error.WriteLine($"{database} was left half-generated (its indexes are missing): run without --reuse to generate it again.");
    return 1;
}

await using (var conn = await dataSource.OpenConnectionAsync())
{
    await using var sizes = new NpgsqlCommand("""
        select (select count(*) from calls), (select count(*) from call_events), (select count(*) from call_facts),
               (select count(*) from call_daily), (select count(*) from call_daily_waits),
               pg_size_pretty(pg_database_size(current_database())),
               (select count(*) from call_slices), (select count(*) from call_slice_waits), (select count(*) from call_slice_waits_monthly)
        """, conn);
    await using var reader = await sizes.ExecuteReaderAsync();
    await reader.ReadAsync();
    Console.WriteLine($"Stored: {reader.GetInt64(0):N0} calls, {reader.GetInt64(1):N0} events, {reader.GetInt64(2):N0} facts, " +
                      $"{reader.GetInt64(3):N0} rollup days, {reader.GetInt64(4):N0} histogram rows, database {reader.GetString(5)}");
    Console.WriteLine($"Slice rollup: {reader.GetInt64(6):N0} rows, {reader.GetInt64(7):N0} daily and {reader.GetInt64(8):N0} monthly histogram rows");
}

if (arguments.Flag("--verify-facts"))
{
    var checking = Stopwatch.StartNew();
    var (onlyGenerated, onlyService) = await HistoryGenerator.VerifyFactsAsync(dataSource);
    Console.WriteLine($"verify facts against statistics_backfill_facts(): {(onlyGenerated == 0 && onlyService == 0 ? "identical" : "DIFFERENT")} " +
                      $"({onlyGenerated} rows only generated, {onlyService} only from the service's function; {checking.Elapsed.TotalSeconds:F1} s)");
    if (onlyGenerated != 0 || onlyService != 0) return 1;
}

if (arguments.Flag("--generate-only")) return 0;

var options = new StatisticsOptions();
var wholeYear = new StatisticsPeriod(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
var march = new StatisticsPeriod(new DateOnly(year, 3, 1), new DateOnly(year, 3, 31));
var serviceLevel = new ServiceLevelOptions();
var summaries = new Summaries(dataSource, Options.Create(options), Options.Create(serviceLevel), TimeProvider.System);
var costSplits = new CostSplits(dataSource, Options.Create(options));
var cases = new (string Name, Func<Task<int>> Run)[]
{
    ("year by municipality,month (rollup)", () => Rows(dataSource, wholeYear, "municipality,month", serviceLevel)),
    ("year total (rollup)", () => Rows(dataSource, wholeYear, Dimensions.None, serviceLevel)),
    ("year by month (rollup)", () => Rows(dataSource, wholeYear, Dimensions.Month, serviceLevel)),
    ("year by day, Umeå (rollup)", () => Rows(dataSource, wholeYear, Dimensions.Day, serviceLevel, "2480")),
    ("API summary: year by municipality,month + previous year", async () => (await summaries.BuildAsync(wholeYear, "municipality,month", null, true, default)).Rows.Count),
    ("cost split, year", async () => (await costSplits.UseAsync(wholeYear, default)).Municipalities.Count),
    ("March by hour", () => Rows(dataSource, march, Dimensions.Hour, serviceLevel)),
    ("March by unit", () => Rows(dataSource, march, Dimensions.Unit, serviceLevel)),
    ("March by operator", () => Rows(dataSource, march, Dimensions.Operator, serviceLevel)),
    ("March by topic,weekday", () => Rows(dataSource, march, "topic,weekday", serviceLevel)),
    ("year by unit", () => Rows(dataSource, wholeYear, Dimensions.Unit, serviceLevel)),
    ("year by topic", () => Rows(dataSource, wholeYear, Dimensions.Topic, serviceLevel)),
    ("year by operator", () => Rows(dataSource, wholeYear, Dimensions.Operator, serviceLevel)),
    ("year by hour", () => Rows(dataSource, wholeYear, Dimensions.Hour, serviceLevel)),
    ("year by weekday", () => Rows(dataSource, wholeYear, Dimensions.Weekday, serviceLevel)),
    ("year by unit read from facts (no rollup)", () => Rows(dataSource, wholeYear, Dimensions.Unit, serviceLevel, forceFacts: true)),
    ("year by topic read from facts (no rollup)", () => Rows(dataSource, wholeYear, Dimensions.Topic, serviceLevel, forceFacts: true)),
    ("year by operator read from facts (no rollup)", () => Rows(dataSource, wholeYear, Dimensions.Operator, serviceLevel, forceFacts: true)),
    ("year by hour read from facts (no rollup)", () => Rows(dataSource, wholeYear, Dimensions.Hour, serviceLevel, forceFacts: true)),
    ("year by unit, Umeå", () => Rows(dataSource, wholeYear, Dimensions.Unit, serviceLevel, "2480")),
    ("API summary: year by unit + previous year", async () => (await summaries.BuildAsync(wholeYear, Dimensions.Unit, null, true, default)).Rows.Count),
    ("March 2–30 by unit (days only)", () => Rows(dataSource, new StatisticsPeriod(new DateOnly(year, 3, 2), new DateOnly(year, 3, 30)), Dimensions.Unit, serviceLevel)),
    ("year by municipality,month read from facts (no rollup)", () => Rows(dataSource, wholeYear, "municipality,month", serviceLevel, forceFacts: true)),
};

if (arguments.Flag("--verify"))
{
    // The rollups must give exactly what the per-call facts give (the tests check it on small fixtures too).
    foreach (var by in new[] { Dimensions.Unit, Dimensions.Topic, Dimensions.Operator, Dimensions.Hour, Dimensions.Weekday, "municipality,month" })
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var rollup = await SummaryQueries.CountsAsync(conn, wholeYear, by, null, serviceLevel, default);
        var facts = await SummaryQueries.CountsAsync(conn, wholeYear, by, null, serviceLevel, default, forceFacts: true);
        Console.WriteLine($"verify year by {by}: {rollup.Count} rows, rollup and facts {(rollup.SequenceEqual(facts) ? "identical" : "DIFFERENT")}");
    }
}

Console.WriteLine();
Console.WriteLine($"{"query",-58} {"rows",6} {"median ms",10} {"min ms",8} {"max ms",8}   ({runs} runs after one warm-up)");
foreach (var (name, run) in cases)
{
    var rows = await run();
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        await run();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"{name,-58} {rows,6} {times[times.Count / 2],10:F0} {times[0],8:F0} {times[^1],8:F0}");
}

return 0;

static async Task<int> Rows(NpgsqlDataSource dataSource, StatisticsPeriod period, string by, ServiceLevelOptions serviceLevel,
    string? municipality = null, bool forceFacts = false)
{
    await using var conn = await dataSource.OpenConnectionAsync();
    return (await SummaryQueries.CountsAsync(conn, period, by, municipality, serviceLevel, default, forceFacts)).Count;
}
