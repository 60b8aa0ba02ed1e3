using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>The statistics app on a clock the test moves, with a small batch: the background flush looks every 2 s.</summary>
public sealed class BatchedFlushApp : StatisticsApp
{
    protected override bool UseFakeTime => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Statistics:FlushInterval"] = "00:00:02", ["Statistics:FlushMinFacts"] = "3", ["Statistics:FlushMaxDelay"] = "00:00:10",
    };
}

/// <summary>The background flush waits for a batch of ended calls or for its longest delay (docs/decisions/0021).</summary>
public sealed class FlushBatchTests(BatchedFlushApp app) : IClassFixture<BatchedFlushApp>
{
    private readonly CallHistory _history = new(app);

    [Fact]
    public async Task TheBackgroundFlushWaitsForABatchOfEndedCallsOrItsLongestDelay()
    {
        var clock = app.Clock!;
        var queued = Local(2025, 6, 2, 9, 0);
        var added = 0;
        async Task AddAsync(int calls)
        {
            for (var i = 0; i < calls; i++, added++)
            {
                await _history.AddAsync(new PastCall("2480", queued.AddMinutes(added), TimeSpan.FromSeconds(added), null, "abandoned"));
            }
        }

        Task<long> DueAsync() => _history.ScalarAsync<long>("select count(*) from call_facts_due");
        async Task FlushedAsync(string when)
        {
            for (var i = 0; i < 100 && await DueAsync() > 0; i++)
            {
                await Task.Delay(100);
            }

            Assert.True(await DueAsync() == 0, $"flushed {when}");
            Assert.Equal(added, await _history.ScalarAsync<int>(
                "select coalesce(sum(offered), 0)::int from call_daily where local_date = @day", new { day = queued.Date }));
        }

        async Task StillDueAsync(string when)
        {
            await Task.Delay(500);
            Assert.True(await DueAsync() > 0, $"not flushed {when}");
        }

        // The longest delay passes (as often as it takes the leader's loop to start): the flush takes the one call.
        await AddAsync(1);
        for (var i = 0; i < 30 && await DueAsync() > 0; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(200);
        }

        await FlushedAsync("once the longest delay has passed");

        // Two calls are fewer than the batch of three: the next look leaves them; the third makes the batch.
        await AddAsync(2);
        clock.Advance(TimeSpan.FromSeconds(2));
        await StillDueAsync("with two calls 2 s after the last flush");
        await AddAsync(1);
        clock.Advance(TimeSpan.FromSeconds(2));
        await FlushedAsync("with a batch of three calls 4 s after the last flush");

        // One call waits until 10 s have passed since that flush.
        await AddAsync(1);
        for (var seconds = 2; seconds < 10; seconds += 2)
        {
            clock.Advance(TimeSpan.FromSeconds(2));
            await StillDueAsync($"with one call {seconds} s after the last flush");
        }

        clock.Advance(TimeSpan.FromSeconds(2));
        await FlushedAsync("with one call 10 s after the last flush");
    }
}

/// <summary>How the flush makes facts (issue 28, docs/call-cost.md S1): without a speculative insert, without locking the call.</summary>
public sealed class FactMakingTests(ManualFlushApp app) : IClassFixture<ManualFlushApp>
{
    private readonly CallHistory _history = new(app);

    [Fact]
    public async Task AFactMadeByAnotherTransactionWhileTheFlushMakesTheSameOneIsMadeAndCountedOnce()
    {
        var queued = Local(2025, 6, 3, 9, 0);
        var call = await _history.AddAsync(new PastCall("2403", queued, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(40), "answered"));
        var other = await _history.AddAsync(new PastCall("2403", queued.AddMinutes(1), TimeSpan.FromSeconds(8), null, "abandoned"));

        // A change from outside (as a bounce-back or the end of wrap-up does) makes the call's fact and has not committed
        // when the flush reaches the same call: the flush's insert waits on the key, then fails, and makes its facts
        // one at a time.
        await using var outside = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString);
        await outside.OpenAsync();
        await using var tx = await outside.BeginTransactionAsync();
        Assert.Equal(1, await outside.ExecuteScalarAsync<int>("select statistics_make_facts(array[@call])", new { call }, tx));
        var flush = _history.ScalarAsync<int>("select statistics_flush(5000)");
        for (var i = 0; i < 100 && await _history.ScalarAsync<long>("""
                 select count(*) from pg_stat_activity
                 where datname = current_database() and wait_event_type = 'Lock' and query like '%statistics_flush%'
                 """) == 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.False(flush.IsCompleted, "the flush waits for the other transaction's fact");
        await tx.CommitAsync();
        Assert.Equal(2, await flush);

        Assert.Equal(2L, await _history.ScalarAsync<long>("select count(*) from call_facts where call_id = any (@ids)",
            new { ids = new[] { call, other } }));
        Assert.Equal(0L, await _history.ScalarAsync<long>(
            "select count(*) from (select call_id from call_facts_due union all select call_id from call_facts_pending) n"));
        Assert.Equal("2 1 1", await _history.ScalarAsync<string>(
            "select offered || ' ' || answered || ' ' || abandoned from call_daily where local_date = @day and municipality_code = '2403'",
            new { day = queued.Date }));
        foreach (var (table, recomputed) in new[]
                 {
                     ("call_daily", "call_daily_recomputed"), ("call_slices", "call_slices_recomputed"),
                     ("call_daily_waits", "call_daily_waits_recomputed"), ("call_slice_waits", "call_slice_waits_recomputed"),
                     ("call_slice_waits_monthly", "call_slice_waits_monthly_recomputed"), ("operator_daily", "operator_daily_recomputed"),
                     ("call_answer_daily", "call_answer_daily_recomputed"),
                 })
        {
            Assert.Equal(0L, await _history.ScalarAsync<long>($"""
                select count(*) from ((select * from {table} except all select * from {recomputed})
                                      union all (select * from {recomputed} except all select * from {table})) d
                """));
        }
    }

    [Fact]
    public async Task TheFlushMakesAFactWithoutLockingItsCallAndTheQueueOfEndedCallsHasNoIndex()
    {
        var call = await _history.AddAsync(new PastCall("2401", Local(2025, 6, 4, 9, 0), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), "answered"));
        var before = await _history.ScalarAsync<string>("select xmax::text from calls where id = @call", new { call });

        var flush = await _history.ScalarAsync<string>("select statistics_flush(5000) || ' ' || txid_current()");

        Assert.Equal(1L, await _history.ScalarAsync<long>("select count(*) from call_facts where call_id = @call", new { call }));
        // A foreign key's check would have locked the call's row (FOR KEY SHARE): its xmax would name the flush's transaction.
        var after = await _history.ScalarAsync<string>("select xmax::text from calls where id = @call", new { call });
        Assert.Equal(before, after);
        Assert.NotEqual(flush.Split(' ')[1], after);
        Assert.Equal(0L, await _history.ScalarAsync<long>("select count(*) from pg_indexes where tablename = 'call_facts_due'"));
    }
}
