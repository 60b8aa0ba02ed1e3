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
        var before = new SharedCounters(1_000, 0, 500) { DatabaseCommits = 600, TransactionId = 100, WalRecords = 10 };
        var after = new SharedCounters(9_000, 2_048_000, 20_500) { DatabaseCommits = 7_600, TransactionId = 5_101, WalRecords = 20_010 };

        var line = SharedCounters.PerCall(before, after, 1_000);

        // The headline counts the service's database only: the generator's samplers commit in another.
        Assert.StartsWith("PostgreSQL 7.0 commits in the service's database (5.0 writing transactions), 2.0 kB of WAL in 20 records, " +
                          "up to 0.0 index entries per call; Redis 20.0 commands per call", line);
    }

    [Fact]
    public void WithoutRedisOnlyPostgreSqlIsGiven()
    {
        var line = SharedCounters.PerCall(new SharedCounters(0, 0, null), new SharedCounters(500, 0, null), 100);

        Assert.DoesNotContain("Redis", line);
        Assert.Equal("no calls", SharedCounters.PerCall(new SharedCounters(0, 0, null), new SharedCounters(0, 0, null), 0));
    }

    [Fact]
    public void TheRunsWalRangeIsGivenAsPostgreSqlWritesItsPositions()
    {
        var cost = CallCost.Between(new SharedCounters(0, 0x1_0000_00A0, null), new SharedCounters(0, 0x2_00FF_0000, null), 10);

        Assert.Equal("1/A0", CallCost.Lsn(cost.WalFrom));
        Assert.Contains("pg_waldump --start 1/A0 --end 2/FF0000 --stats=record", cost.Markdown());
    }

    [Fact]
    public void WriteTransactionsLeaveOutTheFirstReadingsOwnTransactionId()
    {
        var cost = CallCost.Between(new SharedCounters(0, 0, null) { TransactionId = 700 }, new SharedCounters(0, 0, null) { TransactionId = 701 }, 10);

        Assert.Equal(0, cost.WriteTransactions);
    }

    [Fact]
    public void EachTableSplitsHotFromOtherUpdatesAndDerivesItsIndexEntries()
    {
        var before = new SharedCounters(0, 0, null)
        {
            Tables = [new TableCounters("calls", 1_000, 5_000, 2_000, 0, 3, 1), new TableCounters("accounts", 20, 40, 40, 0, 2)],
        };
        var after = new SharedCounters(0, 0, null)
        {
            Tables =
            [
                new TableCounters("calls", 1_100, 5_400, 2_300, 0, 3, 1), // 100 inserted, 400 updated of which 300 HOT; one index partial
                new TableCounters("accounts", 20, 40, 40, 0, 2),      // untouched: left out
                new TableCounters("call_events", 600, 0, 0, 50, 2),  // new since the first reading
            ],
        };

        var cost = CallCost.Between(before, after, 100);

        // Most index entries first: the table that costs most leads.
        Assert.Equal(["call_events", "calls"], cost.Tables.Select(t => t.Table));
        var calls = cost.Tables[1];
        Assert.Equal((100, 300, 100, 0), (calls.Inserted, calls.HotUpdated, calls.ColdUpdated, calls.Deleted));
        Assert.Equal((100 + 100) * 3, calls.IndexEntries);
        Assert.Equal((100 + 100) * 2, calls.FullIndexEntries);
        Assert.Equal(600 * 2, cost.Tables[0].IndexEntries);
        Assert.Contains("| calls | 3 (1) | 1.00 | 3.00 | 1.00 | 0.00 | 6.00 | 4.00 |", cost.Markdown());
        Assert.Contains("\"calls\",\"updated not HOT\",100,1", cost.Csv());
        Assert.Contains("\"server\",\"index entries (derived, at most)\",1800,18", cost.Csv());
    }
}
