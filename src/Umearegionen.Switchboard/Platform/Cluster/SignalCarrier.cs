namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// One write's notification to the other nodes, sent in the write's own transaction
/// (docs/decisions/0025; <see cref="ClusterSignals.Carry"/>). A notification is delivered when its
/// transaction commits, so it costs no transaction of its own and never runs ahead of the data. The write
/// runs <see cref="Sql"/> last in its transaction (or batch), with <see cref="AddTo"/>'s parameters; after
/// the commit it says which of its own signals went (<see cref="Committed"/>) and passes the carrier to
/// the features it wakes, which then publish only what it did not carry.
/// </summary>
public sealed class SignalCarrier : IDisposable
{
    /// <summary>Carries nothing: this node is alone, or another write carries its notification.</summary>
    internal static readonly SignalCarrier Nothing = new(null, 0, Signal.None);

    private readonly ClusterSignals? _signals;
    private readonly long _node;
    private bool _ended;

    internal SignalCarrier(ClusterSignals? signals, long node, Signal taken)
    {
        _signals = signals;
        _node = node;
        Taken = taken;
    }

    /// <summary>Whether the write carries a notification at all.</summary>
    public bool Carries => _signals is not null;

    /// <summary>The signals pending on this node that the write took with it.</summary>
    internal Signal Taken { get; }

    /// <summary>What the committed write told the other nodes (none before the commit).</summary>
    public Signal Sent { get; private set; }

    /// <summary>
    /// The statement that notifies, to run last in the write's transaction: the signals taken and
    /// <paramref name="bits"/> (an SQL expression of type int, e.g. a case on what the write did), with
    /// the transaction's id, unless both are none or <paramref name="when"/> is false. Empty when the
    /// write carries nothing.
    /// </summary>
    public string Sql(string bits = "0", string when = "true") => Carries
        ? $"""
          select pg_notify(@signal_channel, @signal_node || (@signal_taken | ({bits}))::text || ':' || pg_current_xact_id()::text)
          where (@signal_taken | ({bits})) <> 0 and ({when})
          """
        : "";

    /// <summary><paramref name="sql"/>, followed by <see cref="Sql"/> when the write carries a notification.</summary>
    public string After(string sql, string bits = "0", string when = "true") =>
        Carries ? sql + ";\n" + Sql(bits, when) : sql;

    /// <summary>Adds the parameters <see cref="Sql"/> names.</summary>
    public DynamicParameters AddTo(DynamicParameters args)
    {
        if (Carries)
        {
            args.Add("signal_channel", ClusterSignals.Channel);
            args.Add("signal_node", $"{_node}:");
            args.Add("signal_taken", (int)Taken);
        }

        return args;
    }

    /// <summary>
    /// The write committed, and its statement notified with <paramref name="own"/> (what its
    /// <c>bits</c> came to; it notified only when that or what it took was not none). The next write
    /// of this node may carry from now on.
    /// </summary>
    public void Committed(Signal own)
    {
        if (!Carries || _ended)
        {
            return;
        }

        Sent = own | Taken;
        End(committed: Sent != Signal.None);
    }

    /// <summary>Ends a write that did not commit: gives back what it took, and lets the next write carry.</summary>
    public void Dispose()
    {
        if (Carries && !_ended)
        {
            End(committed: false);
        }
    }

    private void End(bool committed)
    {
        _ended = true;
        _signals!.CarryEnded(this, committed);
    }
}
