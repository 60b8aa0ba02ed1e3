using System.Text.RegularExpressions;
using Umearegionen.Switchboard.TelephonySimulator;
using Xunit.Sdk;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The test classes that start a <see cref="ServiceCluster"/>. They run one after another (each class
/// still alongside the rest of the suite), so that at most one cluster's processes share the machine.
/// </summary>
[CollectionDefinition(ServiceCluster.Collection)]
public sealed class ServiceClusterCollection
{
}

/// <summary>
/// Several nodes of the service as real processes on one database of their own, with a real
/// redis-server as SignalR's backplane: the deployment of docs/architecture.md on one machine. A
/// class fixture; a test class sets its nodes' settings by subclassing (<see cref="Settings"/>).
/// Node 1 starts first (it migrates the database) and so leads; the others follow. An administrator
/// and the telephony platform's API key are made by the service's own commands, as at an installation;
/// operators are made by that administrator over HTTP and sign in over HTTP.
/// Disposing kills every process it started and drops the database; the logs stay in <see cref="LogDirectory"/>.
/// </summary>
public partial class ServiceCluster : IAsyncLifetime
{
    public const string Collection = "Service cluster";

    /// <summary>The nodes' shared signing key: a token issued by one node is valid on every node.</summary>
    public static readonly string SigningKey = SwitchboardApp.SigningKey;

    private const string AdminPassword = "cluster-admin-password";
    private readonly List<ServiceNode> _nodes = [];
    private readonly List<NodeOperator> _operators = [];
    private readonly List<string> _calls = [];
    private string? _adminToken;
    private string? _apiKey;
    private bool _disposed;

    protected virtual int NodeCount => 2;

    /// <summary>Settings every node gets on top of the cluster's own (configuration keys with ':').</summary>
    protected virtual IDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>The settings <paramref name="node"/> gets on top of the cluster's own: <see cref="Settings"/> unless a class says otherwise.</summary>
    protected virtual IDictionary<string, string> SettingsFor(ServiceNode node) => Settings;

    public string DatabaseConnectionString { get; private set; } = "";

    public string LogDirectory { get; private set; } = "";

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<ServiceNode> Nodes => _nodes;

    /// <summary>Node 1, 2, ... (numbered as they are named).</summary>
    public ServiceNode this[int number] => _nodes[number - 1];

    /// <summary>The telephony platform's API key, made by `api-keys create`.</summary>
    public string ApiKey => _apiKey ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        // The service's Dapper conventions (snake_case columns, instants as UTC) for the tests' own queries.
        Umearegionen.Switchboard.Platform.DapperSetup.Configure();
        LogDirectory = Path.Combine(Path.GetTempPath(), "switchboard-cluster-tests",
            $"{GetType().Name}-{DateTime.Now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        System.IO.Directory.CreateDirectory(LogDirectory);
        PruneOldLogs();
        try
        {
            DatabaseConnectionString = await TestPostgres.CreateDatabaseAsync();
            Redis = await RedisServer.StartAsync(Path.Combine(LogDirectory, "redis"));
            for (var i = 1; i <= NodeCount; i++)
            {
                _nodes.Add(new ServiceNode(i, LogDirectory, NodeEnvironment));
            }

            // Node 1 migrates the database and leads; then the others, and the installation's commands.
            await _nodes[0].StartAsync();
            await Task.WhenAll(_nodes.Skip(1).Select(n => n.StartAsync()).Append(InstallAsync()));
        }
        catch (Exception ex)
        {
            var logs = Logs();
            await DisposeAsync();
            throw new InvalidOperationException($"The cluster did not start: {ex.Message}\n\n{logs}", ex);
        }
    }

    private Dictionary<string, string> NodeEnvironment(ServiceNode node)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Switchboard"] = DatabaseConnectionString,
            ["ConnectionStrings__Redis"] = Redis.ConnectionString,
            ["Cluster__NodeName"] = node.Name,
            ["Access__SigningKey"] = SigningKey,
            ["Access__LoginAttemptsPerMinute"] = "10000",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{node.Port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Demo__Enabled"] = "false",
            ["Database__StartupRetryFor"] = "00:00:10",
            // As in SwitchboardApp: no after-call work unless a test turns it on.
            ["Routing__AfterCallWork"] = "00:00:00",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            // What a reader of a failed test wants from the log: registration, leadership, Redis lost and back.
            ["Serilog__MinimumLevel__Override__Umearegionen.Switchboard.Platform.Cluster"] = "Information",
            ["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in SettingsFor(node))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return environment;
    }

    /// <summary>What an installation does once: an administrator and the platform's API key, by the service's commands.</summary>
    private async Task InstallAsync()
    {
        var (exit, output, errors) = await ServiceCommand.RunAsync(DatabaseConnectionString, AdminPassword,
            "accounts", "create", "--username", "cluster-admin", "--display-name", "Cluster Admin", "--role", Roles.Administrator,
            "--password-stdin");
        if (exit != 0)
        {
            throw new InvalidOperationException($"accounts create failed ({exit}): {output} {errors}");
        }

        (exit, output, errors) = await ServiceCommand.RunAsync(DatabaseConnectionString, null, "api-keys", "create", "--name", "Cluster platform");
        _apiKey = exit == 0 ? ApiKeyPattern().Match(output).Value : "";
        if (_apiKey.Length == 0)
        {
            throw new InvalidOperationException($"api-keys create failed ({exit}): {output} {errors}");
        }

        foreach (var node in _nodes)
        {
            node.ApiKey = _apiKey;
        }

        _adminToken = await LoginAsync(_nodes[0], "cluster-admin", AdminPassword);
    }

    [GeneratedRegex(@"sbk_\S+")]
    private static partial Regex ApiKeyPattern();

    /// <summary>POST /api/auth/login on <paramref name="node"/>; the access token.</summary>
    public static async Task<string> LoginAsync(ServiceNode node, string username, string password)
    {
        using var response = await node.Http.PostAsJsonAsync("api/auth/login", new LoginRequest(username, password));
        if (!response.IsSuccessStatusCode)
        {
            throw new XunitException($"Login of {username} on {node.Name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<LoginResponse>())!.AccessToken;
    }

    /// <summary>The installation's administrator's token (signed in on node 1 at start; valid on every node).</summary>
    public string AdminToken => _adminToken ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A running node (the first), for requests that may go anywhere.</summary>
    public ServiceNode AnyNode => _nodes.FirstOrDefault(n => n.Running) ?? throw new InvalidOperationException("No node is running.");

    /// <summary>
    /// A new operator account (made by the administrator over HTTP, on any node), signed in over HTTP on
    /// <paramref name="node"/> and connected to its hub; with <paramref name="status"/> set unless null.
    /// </summary>
    public async Task<NodeOperator> OperatorAsync(
        ServiceNode node, string? status = OperatorStatuses.Available, string municipality = "2403", bool autoReconnect = false)
    {
        var username = "op-" + Guid.NewGuid().ToString("N")[..12];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/accounts"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
            request.Content = JsonContent.Create(new CreateAccountRequest(username, "Operator " + username, Roles.Operator, municipality, password));
            using var created = await AnyNode.Http.SendAsync(request);
            if (!created.IsSuccessStatusCode)
            {
                throw new XunitException($"Creating operator {username} failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }

            var account = (await created.Content.ReadFromJsonAsync<Account>())!;
            var op = new NodeOperator(account.Id, username, await LoginAsync(node, username, password), autoReconnect);
            lock (_operators)
            {
                _operators.Add(op);
            }

            await op.ConnectAsync(node);
            if (status is not null)
            {
                await op.SetStatusAsync(status, status == OperatorStatuses.Paused ? "test" : null);
            }

            return op;
        }
    }

    /// <summary>The telephony platform (a new one: it keeps its own place in the instructions), talking to <paramref name="node"/> with the API key.</summary>
    public SimulatedPlatform Platform(ServiceNode node) => new(node.PlatformHttp);

    /// <summary>
    /// An available operator on <paramref name="storing"/>, then a long poll of <paramref name="platform"/> waiting from
    /// <paramref name="after"/> before an intake on <paramref name="storing"/> is offered to that operator: the poll's
    /// answer, which must hold the call's ring instruction.
    /// </summary>
    public async Task<(NodeOperator Operator, CallReceipt Call, InstructionBatch Batch)> IntakeWhileAPollWaitsAsync(
        SimulatedPlatform platform, ServiceNode storing, long after)
    {
        var op = await OperatorAsync(storing);
        var poll = platform.PollAsync(after, waitSeconds: 25);
        await Task.Delay(500);
        var call = await CallAsync(storing);
        if (call.State != CallStates.Offered)
        {
            throw new XunitException($"The intake on {storing.Name} was {call.State}, not offered.");
        }

        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(30));
        if (!batch.Instructions.Any(i => i.PlatformCallId == call.PlatformCallId && i.Kind == InstructionKinds.RingOperator))
        {
            throw new XunitException($"The poll answered without the ring instruction of {call.PlatformCallId}.");
        }

        return (op, call, batch);
    }

    /// <summary>A new call reported to <paramref name="node"/> (by default to Bjurholm, a main-team municipality).</summary>
    public async Task<CallReceipt> CallAsync(ServiceNode node, string dialled = "+4693214000")
    {
        var id = "c-" + Guid.NewGuid().ToString("N");
        lock (_calls)
        {
            _calls.Add(id);
        }

        return await Platform(node).PlaceCallAsync(new NewCallReport(id, SimulatedPlatform.RandomCaller(), dialled, null, 0));
    }

    /// <summary>
    /// The node that says it leads, once exactly one running node does and every running node says so
    /// of itself or another; fails after <paramref name="within"/> (5 s by default).
    /// </summary>
    public async Task<ServiceNode> LeaderAsync(TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();
        List<(ServiceNode Node, Readiness? Ready)> seen = [];
        while (true)
        {
            seen = [];
            foreach (var node in _nodes.Where(n => n.Running))
            {
                try
                {
                    seen.Add((node, await node.ReadinessAsync()));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    seen.Add((node, null));
                }
            }

            var leaders = seen.Where(s => s.Ready?.Leader == true).ToList();
            if (leaders.Count == 1)
            {
                return leaders[0].Node;
            }

            if (watch.Elapsed > limit)
            {
                throw new XunitException($"Not exactly one leader within {limit.TotalSeconds:0.#} s: " +
                                         string.Join("; ", seen.Select(s => $"{s.Node.Name}: {s.Ready?.ToString() ?? "no answer"}")));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// After Redis was started again: waits until every node is ready as Healthy and listens on Redis
    /// again, and a moment more, for each node to close the hub connections it had (their clients would
    /// otherwise be closed in the middle of the next test).
    /// </summary>
    public async Task BackOnRedisAsync()
    {
        var running = _nodes.Where(n => n.Running).ToList();
        await EventuallyAsync(async () =>
            {
                foreach (var node in running)
                {
                    if ((await node.ReadinessAsync()).Check("redis") != "Healthy")
                    {
                        return false;
                    }
                }

                return await Redis.SubscribersAsync() >= running.Count;
            },
            TimeSpan.FromSeconds(30), "every node back on Redis");
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    /// <summary>The running nodes other than <paramref name="node"/>.</summary>
    public IEnumerable<ServiceNode> Others(ServiceNode node) => _nodes.Where(n => n != node && n.Running);

    /// <summary>Waits until <paramref name="condition"/> holds; fails after <paramref name="within"/>, naming <paramref name="what"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what) =>
        EventuallyAsync(condition, within, () => what);

    /// <summary>As above, with what failed described once it has (say, with the last value seen).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within)
            {
                throw new XunitException($"Not within {within.TotalSeconds:0.#} s: {what()}.");
            }

            await Task.Delay(50);
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(DatabaseConnectionString);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("No value: " + sql);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(DatabaseConnectionString);
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    /// <summary>
    /// Runs a test's body; any failure comes back with the end of every node's log and Redis's, and
    /// where the whole logs are.
    /// </summary>
    /// <remarks>
    /// Whatever an earlier test stopped (Redis, nodes) is started first, and afterwards the test's
    /// callers hang up and its operators disconnect: each test starts with every node up, an empty
    /// queue and nobody available. (Started at the next test rather than after this one: a class's
    /// last test leaves what it stopped to the fixture's end.)
    /// </remarks>
    public async Task TestAsync(Func<Task> body)
    {
        XunitException? failed = null;
        try
        {
            await StartWhatWasStoppedAsync();
            await body();
        }
        catch (Exception ex)
        {
            failed = new XunitException($"{ex.GetType().Name}: {ex.Message}\n\n{Logs()}", ex);
        }

        try
        {
            await CleanUpAsync();
        }
        catch (Exception ex) when (failed is not null)
        {
            // The test's own failure is the one to see; the next test will find the cluster as it is.
            failed = new XunitException($"{failed.Message}\n\n(Cleaning up after it failed too: {ex.Message})", failed.InnerException);
        }

        if (failed is not null)
        {
            throw failed;
        }
    }

    private async Task CleanUpAsync()
    {
        List<NodeOperator> operators;
        lock (_operators)
        {
            operators = [.. _operators];
            _operators.Clear();
        }

        foreach (var op in operators)
        {
            await op.DisposeAsync();
        }

        List<string> calls;
        lock (_calls)
        {
            calls = [.. _calls];
            _calls.Clear();
        }

        var platform = Platform(AnyNode);
        foreach (var call in calls)
        {
            await platform.ReportAsync(call, PlatformEventTypes.Ended, "test-cleanup");
        }
    }

    private async Task StartWhatWasStoppedAsync()
    {
        var redisRestarted = !Redis.Running;
        if (redisRestarted)
        {
            await Redis.StartAsync();
        }

        await Task.WhenAll(_nodes.Where(n => !n.Running).Select(n => n.StartAsync()));
        if (redisRestarted)
        {
            await BackOnRedisAsync();
        }
    }

    /// <summary>The last lines of every process's log.</summary>
    public string Logs()
    {
        var parts = _nodes.Select(n => $"--- {n.Name} ({(n.Running ? "running" : "not running")}), last lines of {n.LogPath}:\n{n.Tail()}").ToList();
        if (Redis is not null)
        {
            parts.Add($"--- redis ({(Redis.Running ? "running" : "not running")}, port {Redis.Port}), last lines of {Redis.LogPath}:\n{Redis.Tail()}");
        }

        return string.Join("\n", parts);
    }

    /// <summary>Logs of earlier runs older than two days go.</summary>
    private void PruneOldLogs()
    {
        try
        {
            foreach (var dir in new DirectoryInfo(Path.GetDirectoryName(LogDirectory)!).GetDirectories())
            {
                if (dir.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-2))
                {
                    dir.Delete(recursive: true);
                }
            }
        }
        catch (IOException)
        {
            // Another run's, in use: next time.
        }
    }

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        List<NodeOperator> operators;
        lock (_operators)
        {
            operators = [.. _operators];
        }

        foreach (var op in operators)
        {
            try
            {
                await op.DisposeAsync();
            }
            catch (Exception)
            {
                // Its node is gone already.
            }
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (DatabaseConnectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(DatabaseConnectionString);
        }
    }
}
