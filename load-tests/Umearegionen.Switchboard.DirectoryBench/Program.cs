using System.Diagnostics;
using HdrHistogram;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.Directory.Demo;
using Umearegionen.Switchboard.Platform;
using Umearegionen.Switchboard.Platform.Migrations;

// Directory search benchmark: builds a directory of 20,000 people and 3,000 units in a scratch
// database with the service's own migrations and import code, then times the operators' search
// (the same SQL and mapping the endpoint runs) over a realistic query mix. See docs/performance.md.
//
//   dotnet run -c Release --project load-tests/Umearegionen.Switchboard.DirectoryBench -- [--searches 5000] [--workers 1] [--keep]
//
// The server: SWITCHBOARD_BENCH_PG (an admin connection string), else the project-local cluster.
var searches = IntOption("--searches", 5000);
var workers = IntOption("--workers", 1);
var keep = args.Contains("--keep");
const int Units = 3000, People = 20000;

DapperSetup.Configure();
var admin = BenchServer.AdminConnectionString();
var database = "dirbench_" + Guid.NewGuid().ToString("N")[..10];
await BenchServer.ExecuteAsync(admin, $"create database {database}");
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 32 }.ConnectionString;
try
{
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    await Migrator.ApplyAsync(dataSource, NullLogger.Instance);

    var build = Stopwatch.StartNew();
    var now = DateTimeOffset.UtcNow;
    foreach (var m in DemoCatalogue.Municipalities)
    {
        // Umeå holds half of the directory, the five smaller municipalities a tenth each.
        var share = m.Code == "2480" ? 0.5 : 0.1;
        await DirectoryDemoData.LoadAsync(dataSource, m, (int)(Units * share), (int)(People * share), now, new Actor("bench", "Benchmark"), default);
    }

    await using (var conn = await dataSource.OpenConnectionAsync())
    {
        // A steady-state directory: statistics current, hint bits set, as autovacuum leaves it.
        await using var analyze = new NpgsqlCommand("vacuum analyze", conn);
        await analyze.ExecuteNonQueryAsync();
        await using var count = new NpgsqlCommand(
            "select (select count(*) from directory_units), (select count(*) from directory_people), (select count(*) from directory_search)", conn);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine($"Directory: {reader.GetInt64(0)} units, {reader.GetInt64(1)} people, {reader.GetInt64(2)} search rows; built in {build.Elapsed.TotalSeconds:0.0} s");
    }

    var queries = QueryMix.Build(searches, seed: 7);
    // Warm-up: plans, caches and pool.
    foreach (var (_, q, m) in queries.Take(200))
    {
        await SearchOnce(dataSource, q, m);
    }

    var histogram = new LongConcurrentHistogram(1, TimeStamp.Seconds(10), 3);
    var byKind = queries.Select(x => x.Kind).Distinct().ToDictionary(k => k, _ => new LongConcurrentHistogram(1, TimeStamp.Seconds(10), 3));
    var hitCounts = new int[queries.Count];
    var next = -1;
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < queries.Count)
        {
            var (kind, q, m) = queries[i];
            var start = Stopwatch.GetTimestamp();
            hitCounts[i] = await SearchOnce(dataSource, q, m);
            var elapsed = Stopwatch.GetTimestamp() - start;
            histogram.RecordValue(elapsed);
            byKind[kind].RecordValue(elapsed);
        }
    }));
    wall.Stop();

    double Ms(double percentile, HistogramBase? h = null) => (h ?? histogram).GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
    Console.WriteLine($"{queries.Count} searches, {workers} worker(s), {queries.Count / wall.Elapsed.TotalSeconds:0} searches/s");
    Console.WriteLine($"latency ms: p50 {Ms(50):0.00}  p95 {Ms(95):0.00}  p99 {Ms(99):0.00}  max {histogram.GetMaxValue() * 1000.0 / Stopwatch.Frequency:0.00}");
    foreach (var (kind, h) in byKind.OrderBy(k => k.Key))
    {
        Console.WriteLine($"  {kind,-17} n={h.TotalCount,5}  p50 {Ms(50, h),6:0.00}  p95 {Ms(95, h),6:0.00}  p99 {Ms(99, h),6:0.00}");
    }

    Console.WriteLine($"searches with no hit: {hitCounts.Count(c => c == 0)} of {queries.Count} (mostly name combinations nobody has)");
    Console.WriteLine($"load average during the run: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
    foreach (var (q, m) in new[] { ("bygglovet", (string?)null), ("snörojning", "2460"), ("Anna Lindberg", null) })
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var hits = await DirectorySearch.SearchAsync(conn, q, m, 3, now, default);
        Console.WriteLine($"  '{q}'{(m is null ? "" : " in " + m)}: " + string.Join("; ", hits.Select(h => $"{h.Kind} {h.Title} ({h.MunicipalityName}, {h.Score})")));
    }
}
finally
{
    NpgsqlConnection.ClearAllPools();
    if (!keep)
    {
        await BenchServer.ExecuteAsync(admin, $"drop database if exists {database} with (force)");
    }
    else
    {
        Console.WriteLine($"Kept database {database}.");
    }
}

return 0;

static async Task<int> SearchOnce(NpgsqlDataSource dataSource, string query, string? municipality)
{
    await using var conn = await dataSource.OpenConnectionAsync();
    return (await DirectorySearch.SearchAsync(conn, query, municipality, 20, DateTimeOffset.UtcNow, default)).Count;
}

int IntOption(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
}
