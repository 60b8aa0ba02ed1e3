using Umearegionen.Switchboard.LoadTests;
using Umearegionen.Switchboard.LoadTests.Harness;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class ScenarioTests
{
    private static string ScenarioDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Umearegionen.Switchboard.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "load-tests", "scenarios");
    }

    public static TheoryData<string> ScenarioFiles() =>
        new(System.IO.Directory.GetFiles(ScenarioDirectory(), "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void EveryScenarioInTheRepositoryLoadsAndDialsAMunicipalitysMainNumber(string file)
    {
        var scenario = Scenario.Load(Path.Combine(ScenarioDirectory(), file));

        string[] mainNumbers = ["+4693214000", "+4693014000", "+4693414000", "+4690161000", "+4693314000", "+4693514000"];
        Assert.All(scenario.Traffic, t => Assert.Contains(t.DialledNumber, mainNumbers));
        Assert.True(ArrivalSchedule.ExpectedCount(scenario.RatePhases()) > 0);
    }

    [Fact]
    public void TheSmokeScenarioStaysShortEnoughForCi()
    {
        var smoke = Scenario.Load(Path.Combine(ScenarioDirectory(), "smoke.json"));

        Assert.InRange(smoke.Phases.Sum(p => p.Seconds), 30, 90);
        Assert.Empty(smoke.Faults);
    }

    [Theory]
    [InlineData("""{ "name": "x", "phases": [], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }] }""", "phases")]
    [InlineData("""{ "name": "x", "phases": [{ "name": "a", "seconds": 10, "startRate": 1, "endRate": 1 }], "traffic": [] }""", "traffic")]
    [InlineData("""{ "name": "x", "phases": [{ "name": "a", "seconds": 10, "startRate": 1, "endRate": 1 }], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }], "faults": [{ "atSecond": 5, "kind": "unplug" }] }""", "faults")]
    [InlineData("""{ "name": "x", "phases": [{ "name": "a", "seconds": 10, "startRate": 1, "endRate": 1 }], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }], "behaviour": { "outcomes": { "teleport": 1 } } }""", "behaviour.outcomes")]
    [InlineData("""{ "name": "x", "phases": [{ "name": "a", "seconds": 10, "startRate": 1, "endRate": 1 }], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }], "historyDays": -1 }""", "historyDays")]
    public void AnInvalidScenarioIsRefusedNamingTheField(string json, string field)
    {
        var path = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Scenario.Load(path));
            Assert.Contains(field, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string Minimal = """ "phases": [{ "name": "a", "seconds": 100, "startRate": 1, "endRate": 1 }], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }] """;

    [Theory]
    [InlineData("""{ "name": "x", "nodes": 0, PHASES }""", "nodes")]
    [InlineData("""{ "name": "x", "nodes": 9, PHASES }""", "nodes")]
    [InlineData("""{ "name": "x", "faults": [{ "atSecond": 5, "kind": "kill-node", "node": 1 }], PHASES }""", "kill-node needs \"nodes\"")]
    [InlineData("""{ "name": "x", "nodes": 2, "faults": [{ "atSecond": 5, "kind": "kill-node" }], PHASES }""", "kill-node needs \"node\" from 1 to 2")]
    [InlineData("""{ "name": "x", "nodes": 2, "faults": [{ "atSecond": 5, "kind": "start-node", "node": 3 }], PHASES }""", "start-node needs \"node\"")]
    [InlineData("""{ "name": "x", "faults": [{ "atSecond": 5, "kind": "rolling-restart" }], PHASES }""", "rolling-restart needs \"nodes\"")]
    [InlineData("""{ "name": "x", "nodes": 2, "faults": [{ "atSecond": 5, "kind": "restart-service" }], PHASES }""", "restart-service")]
    [InlineData("""{ "name": "x", "compareNodes": [1], PHASES }""", "compareNodes")]
    [InlineData("""{ "name": "x", "compareNodes": [1, 5], PHASES }""", "compareNodes")]
    [InlineData("""{ "name": "x", "nodes": 2, "compareNodes": [1, 2], PHASES }""", "compareNodes")]
    [InlineData("""{ "name": "x", "compareNodes": [1, 2], "faults": [{ "atSecond": 5, "kind": "drop-operators", "count": 1, "seconds": 1 }], PHASES }""", "compareNodes")]
    public void AnInvalidMultiNodeScenarioIsRefusedNamingTheField(string json, string field)
    {
        var path = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.Replace("PHASES", Minimal, StringComparison.Ordinal));
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Scenario.Load(path));
            Assert.Contains(field, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheFailoverScenarioKillsAndStartsNodeOneAndRestartsEveryNodeOnTwoNodes()
    {
        var failover = Scenario.Load(Path.Combine(ScenarioDirectory(), "failover.json"));

        Assert.Equal(2, failover.Nodes);
        Assert.Equal([FaultKinds.KillNode, FaultKinds.StartNode, FaultKinds.RollingRestart], failover.Faults.OrderBy(f => f.AtSecond).Select(f => f.Kind));
        Assert.All(failover.Faults.Where(f => f.Kind != FaultKinds.RollingRestart), f => Assert.Equal(1, f.Node));
        Assert.Equal(1, Scenario.Load(Path.Combine(ScenarioDirectory(), "smoke.json")).Nodes);
    }

    [Fact]
    public void TheComparisonRunsOneNodeThenTwoWithoutFaults()
    {
        var compare = Scenario.Load(Path.Combine(ScenarioDirectory(), "nodes-compare.json"));

        Assert.Equal([1, 2], compare.CompareNodes);
        Assert.Empty(compare.Faults);
    }

    [Fact]
    public void AMisspelledSettingIsRefusedRatherThanIgnored()
    {
        var path = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "name": "x", "dashbaords": 5, "phases": [{ "name": "a", "seconds": 10, "startRate": 1, "endRate": 1 }], "traffic": [{ "dialledNumber": "+4690161000", "weight": 1 }] }""");
        try
        {
            Assert.ThrowsAny<System.Text.Json.JsonException>(() => Scenario.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'AcceptCall' on the server. HubException: wrong-state: the caller has hung up.", "wrong-state")]
    [InlineData("call-taken: someone else has it", "call-taken")]
    public void TheServicesErrorCodeIsReadFromTheHubsMessage(string message, string code)
    {
        Assert.Equal(code, OperatorClient.Code(new Microsoft.AspNetCore.SignalR.HubException(message)));
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'AnswerCall' on the server.", true)]
    [InlineData("An unexpected error occurred invoking 'AnswerCall' on the server. HubException: wrong-state: the call has ended.", false)]
    [InlineData("An unexpected error occurred invoking 'AnswerCall' on the server. HubException: server-error: the service failed to carry out AnswerCall; it may or may not have been done.", true)]
    public void AServerErrorIsTriedAgainAndARefusalIsNot(string message, bool transient)
    {
        Assert.Equal(transient, OperatorClient.IsTransient(new Microsoft.AspNetCore.SignalR.HubException(message)));
    }
}
