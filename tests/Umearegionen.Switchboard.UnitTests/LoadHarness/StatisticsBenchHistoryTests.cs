using System.Text.Json;
using Umearegionen.Switchboard.StatisticsBench;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class StatisticsBenchHistoryTests
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly Dictionary<string, string> MunicipalityOf = new()
    {
        ["+4690161000"] = "2480", ["+4693514000"] = "2460", ["+4693014000"] = "2401",
        ["+4693414000"] = "2409", ["+4693314000"] = "2404", ["+4693214000"] = "2403",
    };

    private static readonly Guid[] Operators = Enumerable.Range(1, 40).Select(i => new Guid(i, 0, 0, new byte[8])).ToArray();

    private static List<BenchCall> Year(int calls, int seed = 2025) => new HistoryPlan(calls, 2025, Operators, MunicipalityOf, seed).Calls().ToList();

    [Theory]
    [InlineData(1_000)]
    [InlineData(1_000_003)]
    [InlineData(364)]
    public void EveryCallFallsOnExactlyOneDayOfTheYear(int calls)
    {
        Assert.Equal(calls, Enumerable.Range(0, HistoryPlan.Days).Sum(day => HistoryPlan.CallsOnDay(calls, day)));
        Assert.All(Enumerable.Range(0, HistoryPlan.Days), day => Assert.InRange(HistoryPlan.CallsOnDay(calls, day), calls / 365, calls / 365 + 1));
    }

    [Fact]
    public void CallsComeDayByDayInTheOrderTheyWereQueuedDuringOfficeHours()
    {
        var calls = Year(3_650);

        Assert.Equal(3_650, calls.Count);
        Assert.Equal(3_650, calls.Select(c => c.Id).Distinct().Count());
        Assert.Equal(3_650, calls.Select(c => c.PlatformCallId).Distinct().Count());
        Assert.True(calls.Zip(calls.Skip(1)).All(p => p.First.QueuedAt <= p.Second.QueuedAt), "queued in order");
        Assert.All(calls, c =>
        {
            Assert.Equal(DateTimeKind.Utc, c.QueuedAt.Kind);
            var local = TimeZoneInfo.ConvertTimeFromUtc(c.QueuedAt, Stockholm);
            Assert.Equal(2025, local.Year);
            Assert.InRange(local.TimeOfDay, TimeSpan.FromHours(7), TimeSpan.FromHours(18));
        });
        // Ten calls a day: the first and the last day of the year both have theirs.
        Assert.Equal(10, calls.Count(c => TimeZoneInfo.ConvertTimeFromUtc(c.QueuedAt, Stockholm).Date == new DateTime(2025, 1, 1)));
        Assert.Equal(10, calls.Count(c => TimeZoneInfo.ConvertTimeFromUtc(c.QueuedAt, Stockholm).Date == new DateTime(2025, 12, 31)));
    }

    [Fact]
    public void EachCallHasTheEventsRoutingWouldHaveRecorded()
    {
        foreach (var call in Year(2_000))
        {
            var events = call.Events().ToList();
            Assert.Equal(("received", "received", call.QueuedAt, "telephony"), (events[0].Type, events[0].PlatformEventId, events[0].OccurredAt, events[0].ActorId));
            Assert.Equal(call.DialledNumber, JsonDocument.Parse(events[0].Data!).RootElement.GetProperty("dialledNumber").GetString());
            Assert.Equal(MunicipalityOf[call.DialledNumber], call.MunicipalityCode);
            Assert.True(call.CompletedAt >= call.QueuedAt);
            if (call.Abandoned)
            {
                Assert.Equal("abandoned", call.State);
                Assert.Null(call.OperatorId);
                Assert.Null(call.AnsweredAt);
                Assert.Null(call.WrapUpCategory);
                Assert.Equal(call.CallerLeftAt, call.CompletedAt);
                Assert.Equal(new[] { "received", "platform_ended" }, events.Select(e => e.Type));
                Assert.Equal(("ended", call.CallerLeftAt!.Value), (events[1].PlatformEventId, events[1].OccurredAt));
                continue;
            }

            Assert.Equal("completed", call.State);
            Assert.Contains(call.OperatorId!.Value, Operators);
            Assert.Null(call.CallerLeftAt);
            Assert.InRange((call.AnsweredAt!.Value - call.QueuedAt).TotalSeconds, 0, 90);
            Assert.InRange((call.CompletedAt - call.AnsweredAt.Value).TotalSeconds, 30, 400);
            Assert.Equal(new[] { "received", "accepted", "completed" }, events.Select(e => e.Type));
            Assert.All(events.Skip(1), e => Assert.Equal(call.OperatorId.ToString(), e.ActorId));
            Assert.Equal((call.AnsweredAt.Value, call.CompletedAt), (events[1].OccurredAt, events[2].OccurredAt));
            var completed = JsonDocument.Parse(events[2].Data!).RootElement;
            Assert.Equal(call.Outcome, completed.GetProperty("outcome").GetString());
            Assert.Equal("bench", completed.GetProperty("wrapUpCategory").GetString());
            var details = completed.GetProperty("details");
            if (call.Outcome == "transferred")
            {
                // What call_facts_source reads as the call's unit.
                Assert.Equal("unit", details.GetProperty("kind").GetString());
                Assert.Equal($"unit-{call.TransferUnit}", details.GetProperty("id").GetString());
                Assert.InRange(call.TransferUnit!.Value, 0, 59);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, details.ValueKind);
                Assert.Null(call.TransferUnit);
            }
        }
    }

    [Fact]
    public void TheYearHasTheSwitchboardsShapes()
    {
        var calls = Year(20_000);

        Assert.InRange(calls.Count(c => c.MunicipalityCode == "2480") / 20_000.0, 0.79, 0.83);
        Assert.Equal(6, calls.Select(c => c.MunicipalityCode).Distinct().Count());
        Assert.InRange(calls.Count(c => c.Abandoned) / 20_000.0, 0.07, 0.09);
        Assert.InRange(calls.Count(c => c.Outcome == "transferred") / 20_000.0, 0.32, 0.37);
        Assert.Equal(40, calls.Where(c => c.OperatorId is not null).Select(c => c.OperatorId).Distinct().Count());
        Assert.Equal(8, calls.Select(c => c.Topic).Distinct().Count());
    }

    [Fact]
    public void TheSameSeedGivesTheSameYearAndAnotherSeedAnotherOne()
    {
        Assert.Equal(Year(500), Year(500));
        Assert.NotEqual(Year(500).Select(c => c.Id), Year(500, seed: 7).Select(c => c.Id));
    }

    [Fact]
    public void ADialledNumberWithoutMunicipalityIsRefused()
    {
        var withoutUmea = MunicipalityOf.Where(m => m.Key != "+4690161000").ToDictionary();

        var refused = Assert.Throws<ArgumentException>(() => new HistoryPlan(10, 2025, Operators, withoutUmea));
        Assert.Contains("+4690161000", refused.Message);
    }

    [Fact]
    public void AServerProcesssCpuIsReadFromItsStatLine()
    {
        // A backend's command name has spaces and parentheses; utime 1234 and stime 66 ticks of 1/100 s.
        const string Stat = "4242 (postgres: switchboard bench (x) 127.0.0.1(5432) COPY) R 1 4242 4242 0 -1 4194560 900 0 0 0 1234 66 0 0 20 0 1 0 100 1000 200";

        Assert.Equal(13.0, StepCost.CpuSeconds(Stat));
        Assert.Null(StepCost.CpuSeconds("garbage"));
        Assert.Equal(2.5, StepCost.Spent([1.0, 10.0], [2.0, 11.5]));
        Assert.Null(StepCost.Spent([1.0, null], [2.0, 3.0]));
    }

    [Fact]
    public void AStepsLineGivesItsTimeCpuAndLoad()
    {
        var line = StepCost.Line("facts", TimeSpan.FromSeconds(12.34), 8.5, 3.26);

        Assert.Contains("12.3 s", line);
        Assert.Contains("server CPU     8.5 s", line);
        Assert.EndsWith("load 3.3", line);
        Assert.Contains("server CPU       –", StepCost.Line("total", TimeSpan.FromSeconds(1), null, null));
    }
}
