using System.Diagnostics;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// The service as a child process (`dotnet &lt;dll&gt;`, Release) on a fresh database in the load test's own
/// PostgreSQL cluster, so the generator can restart it, restart PostgreSQL and read its memory.
/// </summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly string _dll;
    private readonly string _repoRoot;
    private readonly string _pgDir;
    private readonly string _log;
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    public Uri Url { get; }
    public string ConnectionString { get; }
    public string AdminPassword { get; private init; } = "load-" + Guid.NewGuid().ToString("N");
    public string ApiKey { get; private set; } = "";
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    private ServiceUnderTest(string dll, string repoRoot, string pgDir, string connectionString, int port, string log,
        IReadOnlyDictionary<string, string>? environment = null, string? signingKey = null, string name = "service")
    {
        _dll = dll;
        _repoRoot = repoRoot;
        _pgDir = pgDir;
        _log = log;
        Name = name;
        ConnectionString = connectionString;
        Url = new Uri($"http://127.0.0.1:{port}");
        _environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Switchboard"] = connectionString,
            ["Access__SigningKey"] = signingKey ?? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
            ["Access__LoginAttemptsPerMinute"] = "10000",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Demo__Enabled"] = "false",
            ["Database__StartupRetryFor"] = "00:01:00",
            // The scenarios scale handle times down ~1:150 (about 0.5 s a call); after-call work, ended by
            // the sweeper's one-second tick, would not scale with them and would idle the simulated operators.
            ["Routing__AfterCallWork"] = "00:00:00",
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) _environment[k] = v;
    }

    /// <summary>The load test's database on its own PostgreSQL cluster, made anew for each run.</summary>
    public const string Database = "switchboard_loadtest";

    /// <summary>"service" alone; "node1", "node2", ... in a cluster.</summary>
    public string Name { get; }

    /// <summary>Where its output goes.</summary>
    public string LogPath => _log;

    /// <summary>Creates a fresh database, an administrator and an API key, and starts the service.</summary>
    /// <summary>With history days, the database first gets that much past traffic (the service's <c>demo history</c> command).</summary>
    /// <summary>A node of a cluster gets its environment (the backplane, its name) and its own log.</summary>
    public static async Task<ServiceUnderTest> StartAsync(
        string dll, string repoRoot, string pgDir, string adminConnectionString, int port, string workDir, int historyDays = 0,
        IReadOnlyDictionary<string, string>? environment = null, string name = "service")
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString);
        const string Db = Database;
        await using (var conn = new NpgsqlConnection(builder.ConnectionString))
        {
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {Db} with (force)", conn);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {Db}", conn);
            await create.ExecuteNonQueryAsync();
        }

        builder.Database = Db;
        Directory.CreateDirectory(workDir);
        var service = new ServiceUnderTest(dll, repoRoot, pgDir, builder.ConnectionString, port, Path.Combine(workDir, name + ".log"), environment, name: name);
        await service.RunCommandAsync(["accounts", "create", "--username", "loadadmin", "--display-name", "Load test",
            "--role", "administrator", "--password-stdin"], service.AdminPassword);
        var output = await service.RunCommandAsync(["api-keys", "create", "--name", "load test"], null);
        if (historyDays > 0)
        {
            Console.WriteLine(await service.RunCommandAsync(
                ["demo", "history", "--days", historyDays.ToString(CultureInfo.InvariantCulture)], null, TimeSpan.FromMinutes(20)));
        }

        service.ApiKey = output.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
                             .FirstOrDefault(w => w.StartsWith("sbk_", StringComparison.Ordinal))
                         ?? throw new InvalidOperationException("api-keys create printed no key: " + output);
        await service.StartProcessAsync();
        return service;
    }

    /// <summary>
    /// Another node on the same database: the same signing key, administrator and API key, its own port,
    /// name, log and environment (which overrides this one's). Started and ready when returned.
    /// </summary>
    public async Task<ServiceUnderTest> AnotherNodeAsync(string name, int port, IReadOnlyDictionary<string, string> environment)
    {
        var node = new ServiceUnderTest(_dll, _repoRoot, _pgDir, ConnectionString, port, Path.Combine(Path.GetDirectoryName(_log)!, name + ".log"),
            environment, _environment["Access__SigningKey"], name)
        {
            AdminPassword = AdminPassword, ApiKey = ApiKey,
        };
        await node.StartProcessAsync();
        return node;
    }

    private async Task<string> RunCommandAsync(IEnumerable<string> args, string? stdin, TimeSpan? timeLimit = null)
    {
        var info = Info();
        foreach (var a in args) info.ArgumentList.Add(a);
        info.RedirectStandardInput = true;
        using var process = Process.Start(info)!;
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(timeLimit ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"service command failed: {output}{error}");
    }

    private ProcessStartInfo Info()
    {
        // Started from its own folder, as the container image runs it (WORKDIR /app): that folder is its
        // content root, so it reads its appsettings.json. From the repository's root it would watch every
        // file under it for configuration changes, the load-test cluster's data and log included, and
        // spend its CPU on thousands of file events a second.
        var dll = Path.GetFullPath(_dll);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var (k, v) in _environment) info.Environment[k] = v;
        return info;
    }

    private async Task StartProcessAsync()
    {
        var process = Process.Start(Info())!;
        ChildProcess.LogOutput(process, _log, append: true);
        _process = process;
        await WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    private async Task WaitReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (_process is { HasExited: true } exited)
            {
                using (var output = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                {
                    // Its last output in the log before saying so.
                    try { await exited.WaitForExitAsync(output.Token); } catch (OperationCanceledException) { }
                }

                throw new InvalidOperationException($"{Name} exited with code {exited.ExitCode}; see {_log}");
            }
            if (await AnswersReadyAsync(http)) return;
            await Task.Delay(250);
        }

        throw new TimeoutException($"the service was not ready within {within.TotalSeconds} s; see {_log}");
    }

    /// <summary>Whether /health/ready answers 200 now, through <paramref name="http"/>'s base address.</summary>
    internal static async Task<bool> AnswersReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the service (as a crash would) and starts it again; returns how long it was away.</summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var clock = Stopwatch.StartNew();
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        await StartProcessAsync();
        return clock.Elapsed;
    }

    /// <summary>Kills the process (SIGKILL, as a crash would) and waits until it is gone; it stays down.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Stops the process as an orchestrator does (SIGTERM: the host shuts down gracefully and closes its
    /// hub connections) and waits for it to exit; killed if it has not exited within the time given.
    /// Returns whether it exited by itself.
    /// </summary>
    public async Task<bool> StopGracefullyAsync(TimeSpan within)
    {
        if (_process is not { HasExited: false } p) return true;
        if (SignalTerminate(p.Id) != 0) throw new InvalidOperationException($"kill(SIGTERM) of {Name} (pid {p.Id}) failed");
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int SignalTerminate(int pid) => Kill(pid, 15);

    /// <summary>Starts the process again (after a kill or a stop) and waits until it is ready.</summary>
    public Task StartAgainAsync() => _process is { HasExited: false } ? Task.CompletedTask : StartProcessAsync();

    /// <summary>Whether its process runs.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>
    /// Asks the node itself (not through the balancer) whether it is ready, and whether it holds the
    /// leadership, when its /health/ready body says so (<c>"leader": true|false</c>); null when it does not.
    /// </summary>
    public async Task<(bool Ready, bool? Leader)> ReadinessAsync(HttpClient http, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(Url, "/health/ready"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return (response.IsSuccessStatusCode, Harness.HealthBody.Leader(body));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (false, null);
        }
    }

    /// <summary>Stops and starts the load test's own PostgreSQL cluster (scripts/local-postgres.sh with SWITCHBOARD_PG_DIR).</summary>
    public async Task<TimeSpan> RestartPostgresAsync()
    {
        var clock = Stopwatch.StartNew();
        await PgScriptAsync("stop");
        await PgScriptAsync("start");
        return clock.Elapsed;
    }

    private async Task PgScriptAsync(string verb)
    {
        var info = new ProcessStartInfo(Path.Combine(_repoRoot, "scripts", "local-postgres.sh"), verb)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.Environment["SWITCHBOARD_PG_DIR"] = _pgDir;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"local-postgres.sh {verb} failed: {await output}{await error}");
    }

    /// <summary>Resident memory of the service process (VmRSS) in MB, or null when not running.</summary>
    public double? ResidentMegabytes()
    {
        if (Pid is not { } pid) return null;
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null
                : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
