namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// What routing does when another node signals (docs/decisions/0002): each signal
/// wakes the same loop on this node that a change made here would have woken. The leader's loops (the
/// dispatcher, the live snapshots, the message sender) act on theirs; every node's long polls and
/// notice board act on theirs.
/// </summary>
public sealed partial class RoutingSignals(
    ClusterSignals signals, Dispatcher dispatcher, Instructions instructions, LiveChanges changes, MessageSender messages,
    NoticeBoard notices, ILogger<RoutingSignals> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        signals.On(Signal.Dispatch, dispatcher.WakeHere);
        signals.On(Signal.OperatorFreed, dispatcher.FreedHere);
        signals.On(Signal.Instructions, xid => instructions.PulseHere(xid));
        signals.On(Signal.Live, changes.MarkHere);
        signals.On(Signal.Messages, messages.WakeHere);
        signals.On(Signal.Notices, () => _ = ReloadNoticesAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ReloadNoticesAsync()
    {
        try
        {
            await notices.ReloadAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogNoticesNotReloaded(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reload the notices another node changed; the sweeper's next reload brings them")]
    private static partial void LogNoticesNotReloaded(ILogger logger, Exception ex);
}
