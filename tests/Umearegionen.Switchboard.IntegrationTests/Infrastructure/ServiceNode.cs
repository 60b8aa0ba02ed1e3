namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>What a node's GET /health/ready says.</summary>
public sealed record Readiness(HttpStatusCode Code, string Status, string Node, bool Leader, int NodesAlive, IReadOnlyDictionary<string, string> Checks)
{
    public string? Check(string name) => Checks.GetValueOrDefault(name);

    public override string ToString() =>
        $"{(int)Code} {Status} node={Node} leader={Leader} nodesAlive={NodesAlive} checks=[{string.Join(", ", Checks.Select(c => c.Key + ":" + c.Value))}]";
}

/// <summary>
/// One node of the service as a process of its own: `dotnet Umearegionen.Switchboard.dll` from the test's
/// bin folder (the current build, copied there as the test project references the service), on a port
/// that it keeps across restarts. Its output goes to <see cref="LogPath"/>.
/// </summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Func<ServiceNode, IDictionary<string, string>> _environment;
    private readonly ProcessLog _log;
    private Process? _process;
    private HttpClient? _http;
    private HttpClient? _platformHttp;

    public ServiceNode(int number, string logDirectory, Func<ServiceNode, IDictionary<string, string>> environment)
    {
        Number = number;
        Port = FreePort.Next();
        _environment = environment;
        _log = new ProcessLog(Path.Combine(logDirectory, Name + ".log"));
    }

    /// <summary>1, 2, ...: the node's place in the cluster, and its name node1, node2, ...</summary>
    public int Number { get; }

    public string Name => $"node{Number}";

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string LogPath => _log.Path;

    public bool Running => _process is { HasExited: false };

    public int? ProcessId => Running ? _process!.Id : null;

    /// <summary>An HTTP client for this node's current process, without credentials.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException($"{Name} is not running.");

    /// <summary>The telephony platform's API key, for <see cref="PlatformHttp"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>An HTTP client for this node's current process, with the telephony platform's API key.</summary>
    public HttpClient PlatformHttp
    {
        get
        {
            if (_platformHttp is null)
            {
                _ = Http;
                _platformHttp = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                _platformHttp.DefaultRequestHeaders.Add(Umearegionen.Switchboard.Access.ApiKeyAuthenticationHandler.HeaderName, ApiKey ?? throw new InvalidOperationException("No API key yet."));
            }

            return _platformHttp;
        }
    }

    /// <summary>Starts the process and waits until it is ready (GET /health/ready answers 200).</summary>
    public async Task StartAsync()
    {
        if (Running)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var start = new ProcessStartInfo("dotnet", ["Umearegionen.Switchboard.dll"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Nothing of the test process's own settings leaks into the node's configuration.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.Contains("__", StringComparison.Ordinal))
            {
                start.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in _environment(this))
        {
            start.Environment[key] = value;
        }

        _process = _log.Start(start, Name);
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitReadyAsync();
    }

    private async Task WaitReadyAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process is not { HasExited: false } process)
            {
                throw new InvalidOperationException($"{Name} exited before it was ready:\n{Tail()}");
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await _http!.GetAsync("health/ready", timeout.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    _log.Mark($"ready after {watch.Elapsed.TotalSeconds:0.0} s");
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // Not listening yet.
            }

            if (watch.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"{Name} (pid {process.Id}) was not ready within {StartTimeout.TotalSeconds} s:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash; its database sessions end and free its locks.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _log.Mark($"killed (SIGKILL) by the test, pid {process.Id}");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        await process.WaitForExitAsync();
        Forget();
    }

    /// <summary>SIGTERM, as an orchestrator stops a node: the host shuts down gracefully. Waits for the exit; its code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { } process)
        {
            throw new InvalidOperationException($"{Name} is not running.");
        }

        _log.Mark($"stopped (SIGTERM) by the test, pid {process.Id}");
        if (!process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString()]))!;
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _log.Mark("did not stop within 30 s of SIGTERM; killed");
            process.Kill();
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"{Name} did not stop within 30 s of SIGTERM:\n{Tail()}");
        }

        var exit = process.ExitCode;
        _log.Mark($"exited with code {exit}");
        Forget();
        return exit;
    }

    private void Forget()
    {
        _process?.Dispose();
        _process = null;
        _http?.Dispose();
        _http = null;
        _platformHttp?.Dispose();
        _platformHttp = null;
    }

    public async Task<Readiness> ReadinessAsync(CancellationToken ct = default)
    {
        using var response = await Http.GetAsync("health/ready", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        return new Readiness(
            response.StatusCode,
            root.GetProperty("status").GetString()!,
            root.GetProperty("node").GetString()!,
            root.GetProperty("leader").GetBoolean(),
            root.GetProperty("nodesAlive").GetInt32(),
            root.GetProperty("checks").EnumerateArray().ToDictionary(
                c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!));
    }

    public string Tail(int lines = 40) => _log.Tail(lines);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _log.Dispose();
    }
}
