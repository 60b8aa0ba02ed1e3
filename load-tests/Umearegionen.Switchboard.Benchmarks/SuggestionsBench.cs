using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.OpeningHours;
using Umearegionen.Switchboard.OpeningHours.Domain;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.Benchmarks;

/// <summary>
/// What accepting a call adds: a call's suggested destinations (Destinations.SuggestAsync: the
/// directory search with the menu topic in the dialled municipality, or its top units, then the
/// units' open status) over the demo directory and demo hours in a scratch database. Calls get a
/// random served municipality and a random topic from the directory's own topics; one in ten has none.
///
///   dotnet run -c Release --project load-tests/Umearegionen.Switchboard.Benchmarks -- suggestions [calls]
/// </summary>
public static class SuggestionsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 2000;
        await using var demo = await DemoDatabase.CreateAsync("suggestbench");
        var dataSource = demo.DataSource;

        var topics = new List<string>();
        await using (var conn = await dataSource.OpenConnectionAsync())
        await using (var cmd = new NpgsqlCommand("select distinct unnest(topics) from directory_units order by 1", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                topics.Add(reader.GetString(0));
            }
        }

        string[] municipalities = ["2403", "2401", "2409", "2480", "2404", "2460"];
        var random = new Random(7);
        var work = Enumerable.Range(0, calls)
            .Select(_ => (Municipality: municipalities[random.Next(municipalities.Length)],
                          Topic: random.Next(10) == 0 ? null : topics[random.Next(topics.Count)]))
            .ToList();
        var evaluator = new OpeningHoursEvaluator(TimeZoneInfo.FindSystemTimeZoneById(OpeningHoursRegistration.TimeZoneId));
        // As in the service: what is remembered holds until the feed hears a change.
        // Nothing changes the directory while the benchmark runs, so no node's connection needs to listen.
        var changes = new DirectoryChangeFeed(NullLogger<DirectoryChangeFeed>.Instance);
        changes.ListeningChanged(true);
        var destinations = new Destinations(new UnitOpenStatus(dataSource, evaluator, changes), evaluator, Options.Create(new OpeningHoursOptions()), changes, NullLogger<Destinations>.Instance);
        var at = DateTimeOffset.Parse("2026-03-11T10:00:00+01:00");
        Console.WriteLine($"{topics.Count} distinct topics; {calls} calls; {Environment.ProcessorCount} cores");

        var times = new List<double>();
        var listed = 0;
        for (var i = 0; i < work.Count + 100; i++)
        {
            var (municipality, topic) = work[i % work.Count];
            var watch = Stopwatch.StartNew();
            // As in AcceptCall: a pooled connection opened per call.
            await using var conn = await dataSource.OpenConnectionAsync();
            var suggestions = await destinations.SuggestAsync(conn, municipality, topic, at, default);
            if (i >= 100)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
                listed += suggestions.Count;
            }
        }

        times.Sort();
        double P(double q) => times[(int)Math.Min(times.Count - 1, Math.Round(q * (times.Count - 1)))];
        Console.WriteLine($"| suggestions per call | {times.Average():0.00} | {P(0.5):0.00} | {P(0.95):0.00} | {P(0.99):0.00} | {(double)listed / times.Count:0.0} |");

        return 0;
    }
}
