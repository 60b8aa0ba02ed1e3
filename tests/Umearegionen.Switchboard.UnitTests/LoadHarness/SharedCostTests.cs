using Umearegionen.Switchboard.LoadTests.Diagnostics;

namespace Umearegionen.Switchboard.UnitTests.LoadHarness;

public sealed class SharedCostTests
{
    [Fact]
    public void RedisCommandsAreReadFromInfoStats()
    {
        const string Info = "# Stats\r\ntotal_connections_received:12\r\ntotal_commands_processed:48213\r\ninstantaneous_ops_per_sec:3\r\n";

        Assert.Equal(48213, SharedCounters.ParseCommands(Info));
        Assert.Null(SharedCounters.ParseCommands("# Stats\r\n"));
    }

    [Fact]
    public void TheCostIsPerCallBetweenTheTwoReadings()
    {
        var line = SharedCounters.PerCall(new SharedCounters(1_000, 0, 500), new SharedCounters(9_000, 2_048_000, 20_500), 1_000);

        Assert.StartsWith("PostgreSQL 8.0 commits and 2.0 kB of WAL per call; Redis 20.0 commands per call", line);
    }

    [Fact]
    public void WithoutRedisOnlyPostgreSqlIsGiven()
    {
        var line = SharedCounters.PerCall(new SharedCounters(0, 0, null), new SharedCounters(500, 0, null), 100);

        Assert.DoesNotContain("Redis", line);
        Assert.Equal("no calls", SharedCounters.PerCall(new SharedCounters(0, 0, null), new SharedCounters(0, 0, null), 0));
    }
}
