using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.OpeningHours;
using Umearegionen.Switchboard.OpeningHours.Domain;

namespace Umearegionen.Switchboard.Benchmarks;

/// <summary>
/// The whole "which of these units are open" step of a directory search, on real PostgreSQL: the
/// demo directory and its demo hours in a scratch database, then OpenNowAsync for 20 random units
/// per call, with a fresh UnitOpenStatus per call (nothing remembered) and with one shared instance
/// (as the service runs it).
///
///   dotnet run -c Release --project benchmarks/Umearegionen.Switchboard.Benchmarks -- open-now [calls]
///
/// The server: SWITCHBOARD_BENCH_PG (an admin connection string), else the project-local cluster.
/// </summary>
public static class OpenNowBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 2000;
        await using var demo = await DemoDatabase.CreateAsync("hoursbench");
        var dataSource = demo.DataSource;

        await using var conn = await dataSource.OpenConnectionAsync();
        var ids = new List<Guid>();
        await using (var cmd = new NpgsqlCommand("select id from directory_units order by id", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        var evaluator = new OpeningHoursEvaluator(TimeZoneInfo.FindSystemTimeZoneById(OpeningHoursRegistration.TimeZoneId));
        var random = new Random(7);
        var batches = Enumerable.Range(0, calls).Select(_ => ids.OrderBy(_ => random.Next()).Take(20).ToArray()).ToList();
        var at = DateTimeOffset.Parse("2026-03-11T10:00:00+01:00");
        Console.WriteLine($"{ids.Count} units with demo hours; {calls} calls of 20 units each; {Environment.ProcessorCount} cores");

        // As in the service: what is remembered holds until the feed hears a change.
        // Nothing changes the directory while the benchmark runs, so no node's connection needs to listen.
        var changes = new DirectoryChangeFeed(NullLogger<DirectoryChangeFeed>.Instance);
        changes.ListeningChanged(true);
        var shared = new UnitOpenStatus(dataSource, evaluator, changes);
        await TimeAsync("nothing remembered", batches.Take(100), b => new UnitOpenStatus(dataSource, evaluator, changes).OpenNowAsync(b, at, default)); // warm-up
        await TimeAsync("nothing remembered", batches, b => new UnitOpenStatus(dataSource, evaluator, changes).OpenNowAsync(b, at, default), print: true);
        await TimeAsync("shared (as in the service)", batches, b => shared.OpenNowAsync(b, at.AddSeconds(1), default), print: true);

        return 0;
    }

    private static async Task TimeAsync<T>(string name, IEnumerable<Guid[]> batches, Func<Guid[], Task<T>> call, bool print = false)
    {
        var times = new List<double>();
        foreach (var batch in batches)
        {
            var watch = Stopwatch.StartNew();
            await call(batch);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        if (print)
        {
            double P(double q) => times[(int)Math.Min(times.Count - 1, Math.Round(q * (times.Count - 1)))];
            Console.WriteLine($"| {name} | {times.Average():0.00} | {P(0.5):0.00} | {P(0.95):0.00} | {P(0.99):0.00} |");
        }
    }
}
