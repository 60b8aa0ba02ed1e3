using System.Diagnostics;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>
/// Samples what the run's own side and the machine do: every 100 ms the generator's timer lateness
/// (how late a 100 ms wait on its thread pool comes back: its clients' callbacks are late by as much)
/// and its garbage collection pauses; every second the machine's and the service's CPU from /proc
/// (with several nodes, the sum of their processes' CPU; a process that started or ended within the
/// second is left out of that second).
/// </summary>
public sealed class GeneratorAndMachineSampler(Func<IReadOnlyList<int>> servicePids, Func<TimeSpan> now, TimelineRecorder timeline)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync(CancellationToken stop)
    {
        var pauses = GC.GetTotalPauseDuration();
        var cpu = MachineCpu.Read();
        var serviceTicks = Ticks(servicePids());
        var generatorCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var lastCpuAt = now();
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var before = clock.Elapsed;
            try { await Task.Delay(Interval, stop); } catch (OperationCanceledException) { return; }
            var lag = clock.Elapsed - before - Interval;
            var totalPauses = GC.GetTotalPauseDuration();
            var at = now();
            timeline.GeneratorSample(at, lag < TimeSpan.Zero ? TimeSpan.Zero : lag, totalPauses - pauses);
            pauses = totalPauses;

            if (at - lastCpuAt < TimeSpan.FromSeconds(1)) continue;
            var cpuNow = MachineCpu.Read();
            var ticks = Ticks(servicePids());
            var both = ticks.Keys.Where(serviceTicks.ContainsKey).ToList();
            double? servicePercent = both.Count > 0
                ? both.Sum(pid => ticks[pid] - serviceTicks[pid]) / ClockTicksPerSecond / (at - lastCpuAt).TotalSeconds * 100
                : null;
            var generatorCpuNow = Process.GetCurrentProcess().TotalProcessorTime;
            var generatorPercent = (generatorCpuNow - generatorCpu) / (at - lastCpuAt) * 100;
            if (cpu is { } c0 && cpuNow is { } c1 && c1.Total > c0.Total)
            {
                timeline.Cpu(at, 100.0 * (c1.Busy - c0.Busy) / (c1.Total - c0.Total), servicePercent, generatorPercent);
            }

            (cpu, serviceTicks, generatorCpu, lastCpuAt) = (cpuNow, ticks, generatorCpuNow, at);
        }
    }

    private static Dictionary<int, long> Ticks(IReadOnlyList<int> pids)
    {
        var ticks = new Dictionary<int, long>();
        foreach (var pid in pids)
        {
            if (ProcessTicks(pid) is { } t) ticks[pid] = t;
        }

        return ticks;
    }

    /// <summary>USER_HZ: /proc counts CPU time in these ticks (100 on Linux).</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>User + system CPU ticks of a process, from /proc/&lt;pid&gt;/stat.</summary>
    internal static long? ProcessTicks(int? pid)
    {
        if (pid is not { } id) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    internal readonly record struct MachineCpu(long Busy, long Total)
    {
        /// <summary>The first line of /proc/stat: user nice system idle iowait irq softirq steal ...</summary>
        public static MachineCpu? Read()
        {
            try
            {
                return Parse(File.ReadLines("/proc/stat").First());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        internal static MachineCpu? Parse(string line)
        {
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            if (values.Length < 5) return null;
            var idle = values[3] + values[4];
            var total = values.Sum();
            return new MachineCpu(total - idle, total);
        }
    }
}

/// <summary>
/// Samples the service's database four times a second: how many statements run at once, how many
/// wait for a row or table lock, which autovacuum or autoanalyze works on which table (named in the
/// timeline when it starts and ends), and when a checkpoint starts (after it, the first change to
/// every page writes the whole page to the write-ahead log, which slows every commit for a while).
/// It reads from the cluster's maintenance database (<c>postgres</c>), so that its own queries, four a
/// second, are not counted among the service database's commits, which the report gives as the calls' cost.
/// </summary>
public sealed class DatabaseSampler(string connectionString, Func<TimeSpan> now, TimelineRecorder timeline)
{
    private readonly string _database = new NpgsqlConnectionStringBuilder(connectionString).Database
                                        ?? throw new ArgumentException("the service's connection string names no database", nameof(connectionString));

    private readonly string _sampling = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString;

    private const string Sql = """
        select count(*) filter (where state = 'active' and backend_type = 'client backend')::int as active,
               count(*) filter (where wait_event_type = 'Lock')::int as lock_waits,
               coalesce(array_agg(query) filter (where backend_type = 'autovacuum worker'), '{}') as maintenance,
               coalesce(array_agg(wait_event_type || ': ' || wait_event)
                        filter (where state = 'active' and backend_type = 'client backend' and wait_event is not null), '{}') as waits
        from pg_stat_activity
        where datname = @database and pid <> pg_backend_pid()
        """;

    // PostgreSQL 15 and 16 count checkpoints in pg_stat_bgwriter, 17 and later in pg_stat_checkpointer.
    private static readonly string[] CheckpointSql =
    [
        "select checkpoints_timed + checkpoints_req from pg_stat_bgwriter",
        "select num_timed + num_requested from pg_stat_checkpointer",
    ];

    /// <summary>This many statements running at once (the usual is 2 to 10 at 200 calls/s) gets a note of what they wait on.</summary>
    public const int CrowdedAt = 20;

    /// <summary>
    /// What statements running at once wait on, the most common first: "41 waiting (LWLock: WALWrite ×40,
    /// IO: WALSync ×1), 32 working" (working: on the CPU or ready for it; PostgreSQL names no wait).
    /// </summary>
    public static string WaitSummary(int active, IReadOnlyCollection<string> waits)
    {
        var working = Math.Max(0, active - waits.Count);
        if (waits.Count == 0) return $"none waiting, {working} working";
        var kinds = string.Join(", ", waits.GroupBy(w => w, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ×{g.Count()}"));
        return $"{waits.Count} waiting ({kinds}), {working} working";
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var running = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        long? checkpoints = null;
        var checkpointSql = 0;
        var lastCrowdNoted = -1;
        NpgsqlConnection? conn = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (conn is not { State: System.Data.ConnectionState.Open })
                    {
                        if (conn is not null) await conn.DisposeAsync();
                        conn = new NpgsqlConnection(_sampling);
                        await conn.OpenAsync(stop);
                    }

                    await using var command = new NpgsqlCommand(Sql, conn);
                    command.Parameters.AddWithValue("database", _database);
                    await using var reader = await command.ExecuteReaderAsync(stop);
                    await reader.ReadAsync(stop);
                    var at = now();
                    var active = reader.GetInt32(0);
                    timeline.Database(at, active, reader.GetInt32(1));
                    if (active >= CrowdedAt && (int)at.TotalSeconds != lastCrowdNoted)
                    {
                        // Many statements at once means they wait on something: name what, once a second.
                        lastCrowdNoted = (int)at.TotalSeconds;
                        timeline.Note(at, $"database: {active} statements running at once, {WaitSummary(active, reader.GetFieldValue<string[]>(3))}");
                    }

                    var maintenance = reader.GetFieldValue<string[]>(2).Select(q => q.Replace("autovacuum: ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
                    foreach (var work in maintenance.Where(w => !running.ContainsKey(w)))
                    {
                        running[work] = at;
                        timeline.Note(at, $"autovacuum started: {work}");
                    }

                    foreach (var (work, since) in running.Where(r => !maintenance.Contains(r.Key)).ToList())
                    {
                        running.Remove(work);
                        timeline.Note(at, $"autovacuum ended after {TimelineRecorder.Ms(at - since)}: {work}");
                    }

                    await reader.DisposeAsync();
                    if (checkpointSql < CheckpointSql.Length)
                    {
                        try
                        {
                            await using var count = new NpgsqlCommand(CheckpointSql[checkpointSql], conn);
                            var now = Convert.ToInt64(await count.ExecuteScalarAsync(stop), System.Globalization.CultureInfo.InvariantCulture);
                            if (checkpoints is { } before && now > before) timeline.Note(at, "checkpoint started");
                            checkpoints = now;
                        }
                        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedTable)
                        {
                            checkpointSql++; // another PostgreSQL version: try the next view
                        }
                    }
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // PostgreSQL restarting (the fault scenarios): no sample now, connect again.
                    if (conn is not null) await conn.DisposeAsync();
                    conn = null;
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    break; // stopped in the middle of a sample (a cancelled query throws): the run is over, not failed
                }

                try { await Task.Delay(250, stop); } catch (OperationCanceledException) { }
            }
        }
        finally
        {
            if (conn is not null) await conn.DisposeAsync();
        }
    }
}
