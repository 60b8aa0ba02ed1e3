using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// Several service nodes behind haproxy, sharing one database and a Redis SignalR backplane, all as
/// child processes in the load test's work folder (docs/load-tests-failover.md): Redis first, then
/// node 1 (which creates the database) until ready, then the other nodes, then haproxy. Its URL is
/// haproxy's. A node can be killed, started again, or all restarted in turn.
/// </summary>
public sealed class ServiceCluster : IAsyncDisposable
{
    private readonly string _workDir;
    private readonly List<ServiceUnderTest> _nodes = [];
    private ChildProcess? _redis;
    private ChildProcess? _haproxy;

    private ServiceCluster(string workDir) => _workDir = workDir;

    /// <summary>haproxy's address: every request of the generator goes there.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The Redis server of the backplane.</summary>
    public int RedisPort { get; private set; }

    public IReadOnlyList<ServiceUnderTest> Nodes => _nodes;

    /// <summary>Node 1: it created the database and holds the API key and administrator all nodes share.</summary>
    public ServiceUnderTest First => _nodes[0];

    /// <summary>haproxy's output: one line per hub request (<see cref="HaproxyConfig.ParseLogLine"/>).</summary>
    public string BalancerLog => Path.Combine(_workDir, "haproxy.log");

    /// <summary>The service's pool when the connection string sets none (DatabaseRegistration.DefaultMaxPoolSize).</summary>
    private const int OneNodesPool = 24;

    public static async Task<ServiceCluster> StartAsync(int nodes, string dll, string repoRoot, string pgDir, string adminConnectionString,
        string workDir, int historyDays, TextWriter log)
    {
        Directory.CreateDirectory(workDir);
        ChildProcess.StopLeftovers(workDir, log);
        var cluster = new ServiceCluster(workDir);
        try
        {
            var redisDir = Path.Combine(workDir, "redis");
            Directory.CreateDirectory(redisDir);
            var redisPort = FreePort();
            cluster._redis = ChildProcess.Start(workDir, "redis", "redis-server",
                ["--bind", "127.0.0.1", "--port", redisPort.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", redisDir],
                Path.Combine(workDir, "redis.log"));
            await WaitForPortAsync(redisPort, cluster._redis, TimeSpan.FromSeconds(20));
            cluster.RedisPort = redisPort;
            log.WriteLine($"cluster: Redis on 127.0.0.1:{redisPort}");

            // The nodes share what one node's pool would open on this server (docs/scaling.md): more statements
            // at once than the server has cores only queue inside PostgreSQL.
            var database = new NpgsqlConnectionStringBuilder(adminConnectionString)
            {
                Database = ServiceUnderTest.Database,
                MaxPoolSize = Math.Max(4, OneNodesPool / nodes),
            }.ConnectionString;
            Dictionary<string, string> Environment(int i) => new()
            {
                ["ConnectionStrings__Switchboard"] = database,
                ["ConnectionStrings__Redis"] = $"127.0.0.1:{redisPort}",
                ["Cluster__NodeName"] = $"node{i}",
            };

            var first = await ServiceUnderTest.StartAsync(dll, repoRoot, pgDir, adminConnectionString, FreePort(), workDir, historyDays,
                Environment(1), "node1");
            cluster._nodes.Add(first);
            ChildProcess.Record(workDir, first.Pid);
            log.WriteLine($"cluster: node1 ready on {first.Url}");
            for (var i = 2; i <= nodes; i++)
            {
                var node = await first.AnotherNodeAsync($"node{i}", FreePort(), Environment(i));
                cluster._nodes.Add(node);
                ChildProcess.Record(workDir, node.Pid);
                log.WriteLine($"cluster: node{i} ready on {node.Url}");
            }

            var port = FreePort();
            var config = Path.Combine(workDir, "haproxy.cfg");
            await File.WriteAllTextAsync(config, HaproxyConfig.Generate(port,
                cluster._nodes.Select(n => new BalancedNode(n.Name, n.Url.Port)).ToList()));
            cluster._haproxy = ChildProcess.Start(workDir, "haproxy", "haproxy", ["-f", config, "-db"], cluster.BalancerLog, truncate: true);
            cluster.Url = new Uri($"http://127.0.0.1:{port}");
            await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));
            log.WriteLine($"cluster: haproxy on {cluster.Url} in front of {nodes} nodes");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills node n (1-based) with SIGKILL; it stays down.</summary>
    public Task KillNodeAsync(int n) => Node(n).KillAsync();

    /// <summary>Starts node n again and waits until it is ready.</summary>
    public async Task StartNodeAsync(int n)
    {
        await Node(n).StartAgainAsync();
        ChildProcess.Record(_workDir, Node(n).Pid);
    }

    /// <summary>
    /// Each node in turn: SIGTERM, wait for it to exit (killed after 60 s), start it again, wait until it
    /// is ready and haproxy has it in rotation again, then the next. Returns a line per node.
    /// </summary>
    public async Task<IReadOnlyList<string>> RollingRestartAsync(Func<TimeSpan> now)
    {
        var steps = new List<string>();
        foreach (var node in _nodes)
        {
            var from = now();
            var clean = await node.StopGracefullyAsync(TimeSpan.FromSeconds(60));
            var stopped = now();
            await node.StartAgainAsync();
            ChildProcess.Record(_workDir, node.Pid);
            var ready = now();
            // haproxy sends it traffic after two passing checks a second apart: wait for that before the next.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            steps.Add(string.Create(CultureInfo.InvariantCulture,
                $"{node.Name}: {(clean ? "exited" : "killed after 60 s")} {(stopped - from).TotalSeconds:0.0} s after SIGTERM, ready again {(ready - stopped).TotalSeconds:0.0} s later"));
        }

        return steps;
    }

    /// <summary>The running nodes' process ids.</summary>
    public IReadOnlyList<int> Pids() => _nodes.Select(n => n.Pid).OfType<int>().ToList();

    private ServiceUnderTest Node(int n) =>
        n >= 1 && n <= _nodes.Count ? _nodes[n - 1] : throw new ArgumentOutOfRangeException(nameof(n), $"node {n} of {_nodes.Count}");

    /// <summary>Waits until haproxy answers /health/ready through to a node.</summary>
    private async Task WaitUntilBalancedAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (_haproxy is { Exited: true }) throw new InvalidOperationException($"haproxy exited; see {BalancerLog}");
            if (await ServiceUnderTest.AnswersReadyAsync(http)) return;
            await Task.Delay(250);
        }

        throw new TimeoutException($"haproxy did not reach a node within {within.TotalSeconds} s; see {BalancerLog}");
    }

    /// <summary>A port free on 127.0.0.1 now (the system's choice).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, ChildProcess process, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (process.Exited) throw new InvalidOperationException($"{process.Name} exited; see its log in the work folder");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"{process.Name} did not listen on {port} within {within.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        if (_haproxy is not null) await _haproxy.StopAsync();
        foreach (var node in _nodes) await node.DisposeAsync();
        if (_redis is not null) await _redis.StopAsync();
        ChildProcess.Forget(_workDir);
    }
}

/// <summary>
/// A helper process (Redis, haproxy) of a run, its output to a log. Every process a cluster starts
/// (the nodes too) is written to the work folder by pid and start time, so that a later run can stop
/// what a killed generator left behind: exactly those processes, never another that reused a pid.
/// </summary>
internal sealed class ChildProcess
{
    private const string PidFile = "children.pids";
    private readonly Process _process;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public bool Exited => _process.HasExited;

    public static ChildProcess Start(string workDir, string name, string program, IReadOnlyList<string> args, string logPath, bool truncate = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workDir,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} could not be started ({e.Message}); scripts/load-test.sh installs redis-server and haproxy for multi-node scenarios", e);
        }

        LogOutput(process, logPath, append: !truncate);
        Record(workDir, process.Id);
        return new ChildProcess(name, process);
    }

    /// <summary>
    /// Writes the process's output and errors to <paramref name="logPath"/>, closed once the process has
    /// exited and its output has been read to the end (what it wrote last, e.g. why it stopped at start-up,
    /// is in the log).
    /// </summary>
    public static void LogOutput(Process process, string logPath, bool append)
    {
        var log = new StreamWriter(logPath, append) { AutoFlush = true };
        var closed = false;
        void Write(string? line)
        {
            if (line is null) return;
            lock (log)
            {
                if (!closed) log.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Exited += (_, _) => _ = Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(timeout.Token); } catch (OperationCanceledException) { }
            lock (log)
            {
                closed = true;
                log.Dispose();
            }
        });
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _process.WaitForExitAsync(timeout.Token); } catch (OperationCanceledException) { }
    }

    /// <summary>Notes a process of this run (pid and start time) in the work folder.</summary>
    public static void Record(string workDir, int? pid)
    {
        if (pid is not { } id || StartTime(id) is not { } started) return;
        File.AppendAllText(Path.Combine(workDir, PidFile), string.Create(CultureInfo.InvariantCulture, $"{id} {started}\n"));
    }

    /// <summary>A process's start time in clock ticks since boot (/proc/pid/stat, field 22): with the pid, it names one process.</summary>
    private static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Stops processes a previous run of this work folder left running (the generator was killed before it could).</summary>
    public static void StopLeftovers(string workDir, TextWriter log)
    {
        var file = Path.Combine(workDir, PidFile);
        if (!File.Exists(file)) return;
        foreach (var line in File.ReadAllLines(file))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var started)
                || StartTime(pid) != started)
            {
                continue;
            }

            try
            {
                using var process = Process.GetProcessById(pid);
                log.WriteLine($"cluster: stopping {process.ProcessName} (pid {pid}) left running by an earlier run");
                process.Kill();
                process.WaitForExit(10_000);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // gone already
            }
        }

        File.Delete(file);
    }

    /// <summary>Every process of the run stopped: nothing to clean up next time.</summary>
    public static void Forget(string workDir) => File.Delete(Path.Combine(workDir, PidFile));
}
