using Umearegionen.Switchboard.Routing;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// A poll reads the instructions from its node's low-water mark on (docs/call-cost.md P1): the mark
/// passes only instructions acknowledged and seqs known never to have a row, so an instruction whose
/// statement commits after later ones is still delivered. A database of its own: the mark starts at 1.
/// </summary>
public sealed class InstructionDeliveryTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private Instructions Instructions => app.Service<Instructions>();

    [Fact]
    public async Task InstructionCommittedAfterLaterOnesIsDeliveredOnceCommitted()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        // A statement holds seq s and has not committed; s + 1 commits and is acknowledged.
        await using var outOfOrder = await OutOfOrderAsync(world, platform);
        var (held, later, inFlight) = (outOfOrder.Held, outOfOrder.Later, outOfOrder.InFlight);
        Assert.Equal(held + 1, later);

        var first = await platform.PollAsync(0);
        Assert.DoesNotContain(first.Instructions, i => i.Seq == held);
        await platform.AcknowledgeAsync([held + 1]);

        // However long it stays in flight, the mark does not pass it.
        for (var i = 0; i < 4; i++)
        {
            app.Clock!.Advance(TimeSpan.FromSeconds(11));
            await platform.PollAsync(first.LastSeq);
        }

        Assert.True(Instructions.LowWaterMark <= held, $"the mark ({Instructions.LowWaterMark}) passed seq {held}, still in flight");

        await inFlight.CommitAsync();
        var redelivered = await platform.PollAsync(first.LastSeq);
        Assert.Contains(redelivered.Instructions, i => i.Seq == held);

        await platform.AcknowledgeAsync([held]);
        var max = await world.ScalarAsync<long>("select max(seq) from telephony_instructions");
        await MarkReachesAsync(world, platform, max + 1);
    }

    // The platform polls on from the lastSeq it was given; an instruction whose statement commits after a
    // later one that an answer already carried has a seq below that lastSeq. It comes with the next answer,
    // not with the redelivery 10 s later (docs/decisions/0034): no fake time passes here.
    [Fact]
    public async Task InstructionCommittedAfterALaterOneThePlatformGotComesWithTheNextPollNotTheRedelivery()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        await using var outOfOrder = await OutOfOrderAsync(world, platform);
        var (held, later, inFlight) = (outOfOrder.Held, outOfOrder.Later, outOfOrder.InFlight);

        var first = await platform.PollAsync(0);
        Assert.Equal([later], first.Instructions.Select(i => i.Seq).Where(s => s >= held));
        Assert.True(first.LastSeq >= later);

        await inFlight.CommitAsync();
        var next = await platform.PollAsync(first.LastSeq);
        Assert.Equal([held], next.Instructions.Select(i => i.Seq));
        Assert.Equal(first.LastSeq, next.LastSeq);

        // Delivered once: held, unacknowledged, it comes again only when due for redelivery.
        Assert.Empty((await platform.PollAsync(next.LastSeq)).Instructions);
        await platform.AcknowledgeAsync([held, later]);
    }

    [Fact]
    public async Task MarkStopsAtTheFirstUnacknowledgedInstructionAndPassesRolledBackSeqs()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var call = await world.CallAsync();
        await AcknowledgeEverythingAsync(platform);

        long rolledBack;
        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.OpenAsync();
            await using (var tx = await conn.BeginTransactionAsync())
            {
                rolledBack = await InsertAsync(conn, call.CallId, call.PlatformCallId, tx);
                await tx.RollbackAsync();
            }

            var acknowledged = await InsertAsync(conn, call.CallId, call.PlatformCallId);
            await platform.AcknowledgeAsync([acknowledged]);
            var unacknowledged = await InsertAsync(conn, call.CallId, call.PlatformCallId);
            Assert.True(rolledBack < acknowledged && acknowledged < unacknowledged);

            // Past the rolled-back seq and the acknowledged one, up to the one not acknowledged.
            await MarkReachesAsync(world, platform, unacknowledged);
            app.Clock!.Advance(TimeSpan.FromSeconds(11));
            await platform.PollAsync(unacknowledged);
            Assert.Equal(unacknowledged, Instructions.LowWaterMark);

            // Not acknowledged: still delivered from the mark, to a platform that restarted and to one that did not.
            Assert.Contains((await platform.PollAsync(0)).Instructions, i => i.Seq == unacknowledged);
            Assert.Contains((await platform.PollAsync(unacknowledged)).Instructions, i => i.Seq == unacknowledged);

            await platform.AcknowledgeAsync([unacknowledged]);
            await MarkReachesAsync(world, platform, unacknowledged + 1);
            Assert.DoesNotContain((await platform.PollAsync(0)).Instructions, i => i.Seq == unacknowledged);
        }
    }

    // A long poll right after a read that found everything pending reads only once a pulse says an
    // instruction was stored (docs/decisions/0019): one read for the instruction, not one before the
    // wait and one after it.
    // Since decision 0031 not even then: the intake that stored it read the outbox for the waiting poll.
    [Fact]
    public async Task LongPollAfterAReadThatFoundEverythingAnswersTheIntakesInstructionWithoutReading()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        await AcknowledgeEverythingAsync(platform);
        await world.OperatorAsync();
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var last = (await platform.PollAsync(0)).LastSeq;
        var reads = Instructions.Reads;
        var poll = platform.PollAsync(last, waitSeconds: 20);
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "The poll answered before anything was stored.");

        var call = await world.CallAsync();
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId && i.Kind == InstructionKinds.RingOperator);
        Assert.Equal(0, Instructions.Reads - reads);
        AssertSameBatch(batch, await platform.PollAsync(last));
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    }

    // The accept's connect instruction comes from the accept's own transaction (docs/decisions/0031), and the
    // batch is the one a read would give.
    [Fact]
    public async Task LongPollWaitingDuringAnAcceptAnswersFromTheAcceptsReadAsAReadWould()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await AcknowledgeEverythingAsync(platform);
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var last = (await platform.PollAsync(0)).LastSeq;
        var reads = Instructions.Reads;
        var ridden = Instructions.Ridden;
        var poll = platform.PollAsync(last, waitSeconds: 20);
        await WaitingAsync(world);

        await op.AcceptAsync(call.CallId);
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId && i.Kind == InstructionKinds.Connect);
        Assert.Equal(0, Instructions.Reads - reads);
        Assert.Equal(1, Instructions.Ridden - ridden);
        AssertSameBatch(batch, await platform.PollAsync(last));
        Assert.Equal(1, Instructions.Reads - reads);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    }

    // A write rides only while a long poll of this node waits: otherwise it runs as it did, without the scan.
    [Fact]
    public async Task WriteWhileNoLongPollWaitsCarriesNoScan()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        await AcknowledgeEverythingAsync(platform);
        await world.OperatorAsync();
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));

        var alone = Instructions.Ride();
        Assert.False(alone.Rides);
        Assert.Equal("select 1", alone.After("select 1"));
        Assert.Empty(alone.AddTo(new DynamicParameters()).ParameterNames);

        var last = (await platform.PollAsync(0)).LastSeq;
        var poll = platform.PollAsync(last, waitSeconds: 20);
        await WaitingAsync(world);
        var riding = Instructions.Ride();
        Assert.True(riding.Rides);
        Assert.NotEqual("select 1", riding.After("select 1"));

        var call = await world.CallAsync();
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    }

    // Only the first write of a generation rides: a second scanning before the first's pulse could not hand its
    // rows on (the first's pulse ends the generation both took), so it runs without the scan.
    [Fact]
    public async Task OnlyTheFirstWriteWhileALongPollWaitsCarriesTheScan()
    {
        await using var world = new RoutingDriver(app);
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var (platform, poll) = await LongPollWaitingAsync(world);

        Assert.True(Instructions.Ride().Rides);
        var second = Instructions.Ride();
        Assert.False(second.Rides);
        Assert.Equal("select 1", second.After("select 1"));

        // A pulse ends the generation: the poll reads, finds nothing new and waits again, and a write may ride again.
        Instructions.Pulse();
        await world.EventuallyAsync(() => Task.FromResult(Instructions.PollWaiting && Instructions.Ride().Rides));
        var call = await world.CallAsync();
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    }

    // At a few hundred writes a second no write rides (Telephony:RideBelowPulsesPerSecond, 100 by default):
    // the polls' reads are shared by many instructions then, and the scan would lengthen every write.
    [Fact]
    public async Task WritesCarryNoScanWhilePulsesComeFasterThanTheLimitAndRideAgainOnceTheyAreFewer()
    {
        await using var world = new RoutingDriver(app);
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var (platform, poll) = await LongPollWaitingAsync(world);
        await world.EventuallyAsync(() => Task.FromResult(!Instructions.PulsesFast));

        // 40 pulses at once, from another node, for a transaction the waiting poll's read saw committed: they
        // end generations as any pulse does, and the poll waits on.
        for (var i = 0; i < 40; i++)
        {
            Instructions.PulseHere(1UL);
        }

        Assert.True(Instructions.PollWaiting);
        Assert.True(Instructions.PulsesFast);
        var fast = Instructions.Ride();
        Assert.False(fast.Rides);
        Assert.Equal("select 1", fast.After("select 1"));

        // A third of a second later the last 32 pulses are slower than 100 a second: the next write rides.
        await world.EventuallyAsync(() => Task.FromResult(Instructions.PollWaiting && Instructions.Ride().Rides));
        Assert.False(poll.IsCompleted);
        var call = await world.CallAsync();
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(batch.Instructions, i => i.PlatformCallId == call.PlatformCallId);
        await platform.AcknowledgeAsync(batch.Instructions.Select(i => i.Seq));
    }

    // Two writes race: the second commits and pulses between the first's scan and its pulse. The first's
    // rows are then not handed on (they may lack the second's instruction): the polls read, and every
    // instruction arrives.
    [Fact]
    public async Task RiderOvertakenByAnotherPulseLeavesTheLongPollToReadAndEveryInstructionArrives()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var call = await world.CallAsync();
        await AcknowledgeEverythingAsync(platform);
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var last = (await platform.PollAsync(0)).LastSeq;
        var reads = Instructions.Reads;
        var handed = Instructions.HandedOn;
        var poll = platform.PollAsync(last, waitSeconds: 20);
        await WaitingAsync(world);

        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        var rider = Instructions.Ride();
        long first;
        await using (var results = await conn.QueryMultipleAsync(
                         rider.After(InsertSql), rider.AddTo(new DynamicParameters(new { call.CallId, call.PlatformCallId, now = app.Clock!.GetUtcNow() }))))
        {
            first = await results.ReadSingleAsync<long>();
            await rider.ReadAsync(results);
        }

        var second = await InsertAsync(conn, call.CallId, call.PlatformCallId);
        Instructions.Pulse();
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal([first, second], batch.Instructions.Select(i => i.Seq));
        Assert.Equal(1, Instructions.Reads - reads);

        // The first write's pulse comes last; a poll it wakes reads, and finds what its rows lacked.
        await platform.AcknowledgeAsync([first, second]);
        var next = platform.PollAsync(batch.LastSeq, waitSeconds: 20);
        await WaitingAsync(world);
        var third = await InsertAsync(conn, call.CallId, call.PlatformCallId);
        Instructions.Pulse(null, rider);
        var after = await next.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal([third], after.Instructions.Select(i => i.Seq));
        Assert.Equal(handed, Instructions.HandedOn);
        await platform.AcknowledgeAsync([third]);
    }

    private static void AssertSameBatch(InstructionBatch expected, InstructionBatch actual)
    {
        Assert.Equal(expected.LastSeq, actual.LastSeq);
        Assert.Equal(expected.Instructions, actual.Instructions);
    }

    // A long poll that read everything (acknowledged) and waits, with an operator free for the next call.
    private async Task<(SimulatedPlatform Platform, Task<InstructionBatch> Poll)> LongPollWaitingAsync(RoutingDriver world)
    {
        var platform = await world.PlatformAsync();
        await AcknowledgeEverythingAsync(platform);
        await world.OperatorAsync();
        var last = (await platform.PollAsync(0)).LastSeq;
        var poll = platform.PollAsync(last, waitSeconds: 20);
        await WaitingAsync(world);
        return (platform, poll);
    }

    // Until a long poll of this node waits for a pulse.
    private async Task WaitingAsync(RoutingDriver world) =>
        await world.EventuallyAsync(() => Task.FromResult(Instructions.PollWaiting));

    // What the last read found comes again once RedeliverAfter has passed, at once, though no pulse came.
    [Fact]
    public async Task LongPollRedeliversAnUnacknowledgedInstructionAtOnceWhenItComesDue()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        await AcknowledgeEverythingAsync(platform);
        await world.OperatorAsync();
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var call = await world.CallAsync();
        var first = await platform.PollAsync(0);
        var ring = Assert.Single(first.Instructions, i => i.PlatformCallId == call.PlatformCallId);

        // Not yet due: a long poll waits (and reads nothing new).
        var early = await platform.PollAsync(first.LastSeq, waitSeconds: 1);
        Assert.DoesNotContain(early.Instructions, i => i.Seq == ring.Seq);

        app.Clock!.Advance(TimeSpan.FromSeconds(11));
        var redelivered = await platform.PollAsync(first.LastSeq, waitSeconds: 20).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(redelivered.Instructions, i => i.Seq == ring.Seq);
        await platform.AcknowledgeAsync(redelivered.Instructions.Select(i => i.Seq));
    }

    // An instruction whose pulse never came (a notification lost between nodes; here one stored without
    // any) is read at the latest when the last read is SkipWindow old, not when the poll's wait ends.
    [Fact]
    public async Task LongPollFindsAnInstructionWhosePulseWasLostOnceTheSkipWindowHasPassed()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var call = await world.CallAsync();
        await AcknowledgeEverythingAsync(platform);
        var last = (await platform.PollAsync(0)).LastSeq;

        long seq;
        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            seq = await InsertAsync(conn, call.CallId, call.PlatformCallId);
        }

        var batch = await platform.PollAsync(last, waitSeconds: 30).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(batch.Instructions, i => i.Seq == seq);
        await platform.AcknowledgeAsync([seq]);
    }

    // Another node's pulse names the transaction that stored its instructions (docs/decisions/0025): a
    // long poll whose read already saw that transaction committed keeps waiting rather than read again
    // for nothing; a pulse for a transaction the read did not see makes it read.
    [Fact]
    public async Task PulseFromAnotherNodeForATransactionTheLastReadSawDoesNotMakeTheLongPollReadAgain()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var call = await world.CallAsync();
        await AcknowledgeEverythingAsync(platform);
        using var skipping = SkipWindowFor(TimeSpan.FromMinutes(1));
        var signals = app.Service<Umearegionen.Switchboard.Platform.Cluster.ClusterSignals>();
        var otherNode = signals.NodeId + 1000;

        // Stored (as on another node, without a pulse here) and read by a poll.
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        var (seen, seenXid) = await InsertWithXidAsync(conn, call.CallId, call.PlatformCallId);
        var first = await platform.PollAsync(0);
        Assert.Contains(first.Instructions, i => i.Seq == seen);
        await platform.AcknowledgeAsync([seen]);
        var reads = Instructions.Reads;
        var passed = Instructions.PulsesSeenAlready;
        var poll = platform.PollAsync(first.LastSeq, waitSeconds: 20);
        await Task.Delay(300);

        // Its pulse arrives late: the read had seen that transaction.
        signals.Received($"{otherNode}:{(int)Umearegionen.Switchboard.Platform.Cluster.Signal.Instructions}:{seenXid}");
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "The poll answered for a pulse whose instruction it had read.");
        Assert.Equal(0, Instructions.Reads - reads);
        Assert.Equal(1, Instructions.PulsesSeenAlready - passed);

        // A pulse for a transaction committed after the read: read, and answered.
        var (fresh, freshXid) = await InsertWithXidAsync(conn, call.CallId, call.PlatformCallId);
        signals.Received($"{otherNode}:{(int)Umearegionen.Switchboard.Platform.Cluster.Signal.Instructions}:{freshXid}");
        var batch = await poll.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(batch.Instructions, i => i.Seq == fresh);
        Assert.Equal(1, Instructions.Reads - reads);
        await platform.AcknowledgeAsync([fresh]);
    }

    private async Task<(long Seq, string Xid)> InsertWithXidAsync(NpgsqlConnection conn, Guid callId, string platformCallId) =>
        await conn.QuerySingleAsync<(long, string)>(
            """
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            values (@callId, @platformCallId, 'end', jsonb_build_object('operatorId', null), @now)
            returning seq, pg_current_xact_id()::text
            """, new { callId, platformCallId, now = app.Clock!.GetUtcNow() });

    // Sets the node's skip window for one test, and puts it back when the test ends.
    private Scope SkipWindowFor(TimeSpan window)
    {
        var before = Instructions.SkipWindow;
        Instructions.SkipWindow = window;
        return new Scope(() => Instructions.SkipWindow = before);
    }

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    // Two instructions whose statements commit out of seq order: `Held` is written in `InFlight`, still open;
    // `Later` is committed after it. Everything before them is acknowledged.
    private sealed record OutOfOrder(NpgsqlConnection Slow, NpgsqlTransaction InFlight, long Held, long Later) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await InFlight.DisposeAsync();
            await Slow.DisposeAsync();
        }
    }

    private async Task<OutOfOrder> OutOfOrderAsync(RoutingDriver world, TelephonySimulator.SimulatedPlatform platform)
    {
        var call = await world.CallAsync();
        await AcknowledgeEverythingAsync(platform);
        var slow = new NpgsqlConnection(app.DatabaseConnectionString);
        await slow.OpenAsync();
        var inFlight = await slow.BeginTransactionAsync();
        var held = await InsertAsync(slow, call.CallId, call.PlatformCallId, inFlight);
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return new OutOfOrder(slow, inFlight, held, await InsertAsync(conn, call.CallId, call.PlatformCallId));
    }

    private static async Task AcknowledgeEverythingAsync(TelephonySimulator.SimulatedPlatform platform)
    {
        var all = await platform.PollAsync(0);
        if (all.Instructions.Count > 0)
        {
            await platform.AcknowledgeAsync(all.Instructions.Select(i => i.Seq));
        }
    }

    // Polls, letting fake time pass, until every transaction that might still write a seq below the
    // target has been seen to end (other tests' databases share the cluster's transaction ids).
    private async Task MarkReachesAsync(RoutingDriver world, TelephonySimulator.SimulatedPlatform platform, long mark) =>
        await world.EventuallyAsync(async () =>
        {
            app.Clock!.Advance(TimeSpan.FromSeconds(11));
            await platform.PollAsync(0);
            return Instructions.LowWaterMark == mark;
        });

    private async Task<long> InsertAsync(NpgsqlConnection conn, Guid callId, string platformCallId, NpgsqlTransaction? tx = null) =>
        await conn.ExecuteScalarAsync<long>(InsertSql, new { callId, platformCallId, now = app.Clock!.GetUtcNow() }, tx);

    private const string InsertSql = """
        insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
        values (@callId, @platformCallId, 'end', jsonb_build_object('operatorId', null), @now)
        returning seq
        """;
}
