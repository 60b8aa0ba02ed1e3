using System.Text.Json;
using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>A load scenario as data (load-tests/scenarios/*.json).</summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public int Seed { get; init; } = 1;
    public required IReadOnlyList<PhaseSpec> Phases { get; init; }
    /// <summary>Where calls come from: a dialled number, an optional menu topic, a relative weight; per phase if named.</summary>
    public required IReadOnlyList<TrafficSpec> Traffic { get; init; }
    public OperatorSpec Operators { get; init; } = new();
    public int Dashboards { get; init; }
    public BehaviourSpec Behaviour { get; init; } = new();
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];
    /// <summary>The latency target the ramp judges each phase by: p99 intake-to-offer in milliseconds.</summary>
    public double TargetP99Ms { get; init; } = 50;
    /// <summary>How long to wait after the last arrival for every call to end.</summary>
    public int DrainSeconds { get; init; } = 120;
    /// <summary>
    /// Days of past traffic the database holds before the run (the service's demo history, about 1,400
    /// calls a weekday): a switchboard's tables are not empty, and their size decides how often
    /// autovacuum visits them. 0: an empty database.
    /// </summary>
    public int HistoryDays { get; init; }
    /// <summary>
    /// Service nodes behind a load balancer (docs/load-tests-failover.md). 1: the service alone, as
    /// always. 2 or more: Redis (the SignalR backplane), that many service processes and haproxy in
    /// front of them, and all of the generator's traffic goes through haproxy.
    /// </summary>
    public int Nodes { get; init; } = 1;
    /// <summary>
    /// Run the same scenario once per entry, each with that many nodes, on a fresh database each time,
    /// and write one report comparing them (e.g. [1, 2]). Empty: one run with <see cref="Nodes"/>.
    /// </summary>
    public IReadOnlyList<int> CompareNodes { get; init; } = [];

    /// <summary>The most service nodes a scenario may ask for: a 2-core machine runs them all.</summary>
    public const int MaxNodes = 4;

    public IReadOnlyList<RatePhase> RatePhases() =>
        Phases.Select(p => new RatePhase(p.Name, TimeSpan.FromSeconds(p.Seconds), p.StartRate, p.EndRate)).ToList();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static Scenario Load(string path)
    {
        var scenario = JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), Json)
                       ?? throw new InvalidDataException($"{path}: empty scenario");
        scenario.Validate(path);
        return scenario;
    }

    public void Validate(string path)
    {
        void Fail(string what) => throw new InvalidDataException($"{path}: {what}");
        if (Phases.Count == 0) Fail("phases: at least one phase is needed");
        if (Phases.Any(p => p.Seconds <= 0 || p.StartRate < 0 || p.EndRate < 0)) Fail("phases: seconds > 0 and rates >= 0");
        if (Traffic.Count == 0 || Traffic.Any(t => t.Weight <= 0)) Fail("traffic: at least one entry, every weight > 0");
        if (Operators.Main + Operators.Cover <= 0) Fail("operators: at least one operator");
        if (Behaviour.Outcomes.Count == 0 || Behaviour.Outcomes.Values.Any(w => w < 0)) Fail("behaviour.outcomes: weights >= 0, at least one");
        if (Behaviour.Outcomes.Keys.Any(k => !OutcomeKinds.All.Contains(k))) Fail($"behaviour.outcomes: known outcomes are {string.Join(", ", OutcomeKinds.All)}");
        if (Faults.Any(f => !FaultKinds.All.Contains(f.Kind))) Fail($"faults: known kinds are {string.Join(", ", FaultKinds.All)}");
        var duration = Phases.Sum(p => p.Seconds);
        if (Faults.Any(f => f.AtSecond < 0 || f.AtSecond > duration)) Fail("faults: atSecond within the scenario's duration");
        if (HistoryDays is < 0 or > 3660) Fail("historyDays: from 0 (an empty database) to 3660");
        if (Nodes is < 1 or > MaxNodes) Fail($"nodes: from 1 to {MaxNodes}");
        if (CompareNodes.Any(n => n is < 1 or > MaxNodes)) Fail($"compareNodes: each from 1 to {MaxNodes}");
        if (CompareNodes.Count == 1) Fail("compareNodes: at least two runs to compare, e.g. [1, 2]");
        if (CompareNodes.Count > 0 && Nodes != 1) Fail("compareNodes: give either nodes or compareNodes, not both");
        if (CompareNodes.Count > 0 && Faults.Count > 0) Fail("compareNodes: the runs compared have no faults");
        foreach (var fault in Faults.Where(f => FaultKinds.OnNodes.Contains(f.Kind)))
        {
            if (Nodes < 2) Fail($"faults: {fault.Kind} needs \"nodes\": 2 or more");
            if (fault.Kind != FaultKinds.RollingRestart && (fault.Node < 1 || fault.Node > Nodes)) Fail($"faults: {fault.Kind} needs \"node\" from 1 to {Nodes}");
        }

        if (Nodes >= 2 && Faults.Any(f => f.Kind == FaultKinds.RestartService)) Fail("faults: restart-service is for one node; with nodes use kill-node and start-node");
    }
}

public sealed record PhaseSpec(string Name, double Seconds, double StartRate, double EndRate);

/// <summary>Calls to a dialled number (a municipality's main number) with a menu topic, weighted; a phase name limits it to that phase.</summary>
public sealed record TrafficSpec(string DialledNumber, string? Topic, double Weight, string? Phase = null);

public sealed record OperatorSpec(int Main = 10, int Cover = 0);

/// <summary>Seconds drawn uniformly between Min and Max.</summary>
public sealed record Range(double Min, double Max)
{
    public TimeSpan Draw(Random random) => TimeSpan.FromSeconds(Min + random.NextDouble() * (Max - Min));
}

public sealed record BehaviourSpec
{
    public Range AcceptDelay { get; init; } = new(0.2, 1.0);
    public Range HandleTime { get; init; } = new(2, 8);
    public IReadOnlyDictionary<string, double> Outcomes { get; init; } =
        new Dictionary<string, double> { [OutcomeKinds.Transfer] = 1 };
    /// <summary>Chance an operator takes a pause after a call, and how long.</summary>
    public double PauseProbability { get; init; }
    public Range PauseTime { get; init; } = new(2, 5);
    /// <summary>Chance a caller hangs up if nobody has accepted the call within their patience.</summary>
    public double AbandonProbability { get; init; }
    public Range Patience { get; init; } = new(5, 20);
}

public static class OutcomeKinds
{
    public const string Transfer = "transfer";
    public const string Answer = "answer";
    public const string Callback = "callback";
    public const string Message = "message";
    public const string FaultReport = "fault_report";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { Transfer, Answer, Callback, Message, FaultReport };
}

/// <summary>
/// At AtSecond: restart the service, restart PostgreSQL, or drop Count operators for Seconds; with
/// several nodes, kill or start node Node (1-based), or restart every node in turn.
/// </summary>
public sealed record FaultSpec(double AtSecond, string Kind, int Count = 0, double Seconds = 0, int Node = 0);

public static class FaultKinds
{
    public const string RestartService = "restart-service";
    public const string RestartPostgres = "restart-postgres";
    public const string DropOperators = "drop-operators";
    /// <summary>SIGKILL one node's process (a crash); it stays down until a start-node.</summary>
    public const string KillNode = "kill-node";
    /// <summary>Start a node again and wait until it is ready.</summary>
    public const string StartNode = "start-node";
    /// <summary>Each node in turn: SIGTERM, wait for it to exit, start it, wait until ready; then the next.</summary>
    public const string RollingRestart = "rolling-restart";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { RestartService, RestartPostgres, DropOperators, KillNode, StartNode, RollingRestart };
    /// <summary>The kinds that act on the nodes of a multi-node run.</summary>
    public static readonly IReadOnlySet<string> OnNodes = new HashSet<string> { KillNode, StartNode, RollingRestart };
}
