using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>The background flush waiting for a batch of three, looking every second, never overdue within a test.</summary>
public sealed class BatchFlushApp : StatisticsApp
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?>(base.Settings)
        {
            ["Statistics:FlushInterval"] = "00:00:01",
            ["Statistics:FlushMinFacts"] = "3",
            ["Statistics:FlushMaxDelay"] = "00:30:00",
        };
}

/// <summary>What waits for the background flush is counted in the leader's sweep, not in a transaction of the flush's own (docs/decisions/0027).</summary>
public sealed class FlushCountInTheSweepTests(BatchFlushApp app) : IClassFixture<BatchFlushApp>
{
    private readonly CallHistory _history = new(app);

    private const string NotYetRolledUp = "select count(*) from (select call_id from call_facts_due union select call_id from call_facts_pending) n";

    private RollupFlush Flush => app.Services.GetServices<IHostedService>().OfType<RollupFlush>().Single();

    [Fact]
    public async Task TheBackgroundFlushAddsABatchOnceEnoughCallsHaveEndedCountedByTheSweepAlone()
    {
        var flush = Flush;
        var counted = flush.OwnCounts;
        var operatorId = await _history.OperatorAsync();
        var start = Local(2025, 3, 4, 9, 0);
        await _history.AddAsync(new PastCall("2403", start, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), "answered", operatorId));
        await _history.AddAsync(new PastCall("2403", start.AddMinutes(3), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60), "answered", operatorId));

        // Two of three: several of the flush's looks go by, and it waits.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(await _history.ScalarAsync<long>(NotYetRolledUp) >= 2, "two ended calls are not a batch of three");

        await _history.AddAsync(new PastCall("2403", start.AddMinutes(6), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(60), "answered", operatorId));
        await ServiceCluster.EventuallyAsync(async () => await _history.ScalarAsync<long>(NotYetRolledUp) == 0, TimeSpan.FromSeconds(10),
            "the third ended call made a batch that the background flush added");

        Assert.Equal(3, await _history.ScalarAsync<int>(
            "select coalesce(sum(answered), 0)::int from call_daily where local_date = '2025-03-04' and municipality_code = '2403'"));
        Assert.Equal(counted, flush.OwnCounts);
    }
}
