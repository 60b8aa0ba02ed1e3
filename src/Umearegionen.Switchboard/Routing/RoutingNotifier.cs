using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Marks that the queue or the operators changed; the snapshot loop, on the leader node, coalesces the
/// marks. A change on another node reaches it as <see cref="Signal.Live"/>.
/// </summary>
public sealed class LiveChanges(ClusterNode cluster, ClusterSignals signals)
{
    private int _changed = 1;

    public void Mark(SignalCarrier? carried = null)
    {
        MarkHere();
        if (!cluster.IsLeader)
        {
            signals.Publish(Signal.Live, carried);
        }
    }

    /// <summary>What <see cref="Mark"/> tells the other nodes: the leader's snapshot loop is on another node.</summary>
    public Signal Signal => cluster.IsLeader ? Signal.None : Signal.Live;

    /// <summary>Marks on this node only (another node's change).</summary>
    internal void MarkHere() => Volatile.Write(ref _changed, 1);

    public bool TakeMark() => Interlocked.Exchange(ref _changed, 0) == 1;
}

/// <summary>Pushes routing events to the connections of the operator they concern.</summary>
public sealed class RoutingNotifier(IHubContext<SwitchboardHub, ISwitchboardClient> hub, LiveChanges changes)
{
    private ISwitchboardClient Operator(Guid accountId) => hub.Clients.Group(HubGroups.Account(accountId.ToString()));

    public Task OfferAsync(Guid operatorId, CallOffer offer) => Operator(operatorId).OfferReceived(offer);

    public Task OfferWithdrawnAsync(Guid operatorId, Guid callId, string reason, string code) =>
        Operator(operatorId).OfferWithdrawn(new OfferWithdrawn(callId, reason, code));

    /// <summary>The operator took the call on one screen: their other screens stop ringing (through the backplane, like every event).</summary>
    public Task AcceptedElsewhereAsync(Guid operatorId, Guid callId, string acceptedOn) =>
        hub.Clients.GroupExcept(HubGroups.Account(operatorId.ToString()), [acceptedOn])
            .OfferWithdrawn(new OfferWithdrawn(callId, "You accepted the call on another screen.", OfferEndings.AcceptedElsewhere));

    public Task OperatorStateAsync(OperatorState state) => Operator(state.AccountId).OperatorStateChanged(state);

    public Task CallUpdatedAsync(Guid operatorId, CallView call) => Operator(operatorId).CallUpdated(call);

    public Task NoticesAsync(IReadOnlyList<NoticeView> notices) => hub.Clients.Group(HubGroups.Staff).NoticesChanged(notices);

    public void Changed(SignalCarrier? carried = null) => changes.Mark(carried);

    /// <summary>What <see cref="Changed"/> tells the other nodes.</summary>
    public Signal ChangedSignal => changes.Signal;
}
