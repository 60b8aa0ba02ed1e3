using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.UnitTests.Platform;

public sealed class ClusterSignalsTests
{
    // Never opened: these tests only hear notifications, they send none.
    private static ClusterSignals Signals(long nodeId)
    {
        var signals = new ClusterSignals(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"), NullLogger<ClusterSignals>.Instance)
        {
            NodeId = nodeId,
        };
        return signals;
    }

    [Fact]
    public void EachSignalInANotificationRunsItsHandlersOnce()
    {
        var signals = Signals(1);
        var heard = new List<string>();
        signals.On(Signal.Dispatch, () => heard.Add("dispatch"));
        signals.On(Signal.Instructions, () => heard.Add("instructions"));
        signals.On(Signal.Instructions, () => heard.Add("instructions again"));
        signals.On(Signal.Notices, () => heard.Add("notices"));

        signals.Received($"2:{(int)(Signal.Dispatch | Signal.Instructions)}");

        Assert.Equal(["dispatch", "instructions", "instructions again"], heard.Order().ToList());
    }

    [Fact]
    public void ANodeIgnoresItsOwnNotifications()
    {
        var signals = Signals(7);
        var heard = 0;
        signals.On(Signal.Dispatch, () => heard++);

        signals.Received($"7:{(int)Signal.Dispatch}");

        Assert.Equal(0, heard);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("x:1")]
    [InlineData("2:y")]
    [InlineData("2:1:x")]
    [InlineData("2:1:-3")]
    [InlineData("2:1:3:4")]
    public void AMalformedNotificationIsIgnored(string payload)
    {
        var signals = Signals(1);
        var heard = 0;
        signals.On(Signal.Dispatch, () => heard++);

        signals.Received(payload);

        Assert.Equal(0, heard);
    }

    [Fact]
    public void ANotificationThatNamesItsTransactionIsHeard()
    {
        var signals = Signals(1);
        var heard = 0;
        signals.On(Signal.Dispatch, () => heard++);

        signals.Received($"2:{(int)Signal.Dispatch}:3");

        Assert.Equal(1, heard);
    }

    [Fact]
    public void AHandlerThatThrowsDoesNotStopTheOthers()
    {
        var signals = Signals(1);
        var heard = 0;
        signals.On(Signal.Live, () => throw new InvalidOperationException("broken"));
        signals.On(Signal.Live, () => heard++);

        signals.Received($"2:{(int)Signal.Live}");

        Assert.Equal(1, heard);
    }

    [Fact]
    public void ANewNodesHelloMakesTheOthersTellItAtOnce()
    {
        var signals = Signals(1);
        Assert.False(signals.PeersAlive);

        signals.Received($"3:{(int)Signal.Hello}");

        Assert.True(signals.PeersAlive);
    }

    // The new node may not hear Redis (an older version, or its subscription not up yet): until this node's
    // next tick has seen its lock, the signals go through PostgreSQL (docs/decisions/0030).
    [Fact]
    public void ANewNodesHelloMakesTheSignalsGoThroughPostgreSqlUntilTheTickHasSeenItHearsRedis()
    {
        var signals = Signals(1);
        signals.PeersAlive = true;
        signals.PeersHearRedis = true;

        signals.Received($"3:{(int)Signal.Hello}");

        Assert.False(signals.PeersHearRedis);
        Assert.False(signals.ViaRedis);
    }

    // What runs when Redis comes back after a loss: every handler, whatever signals were lost.
    [Fact]
    public void EverySignalRunsWhenSignalsMayHaveBeenLost()
    {
        Assert.Equal(ClusterSignals.Every, Enum.GetValues<Signal>().Aggregate(Signal.None, (all, signal) => all | signal));
    }
}
