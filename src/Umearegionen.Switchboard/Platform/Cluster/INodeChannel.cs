namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// A channel of PostgreSQL notifications that a feature hears on the node's own connection
/// (<see cref="ClusterNode"/>), beside the nodes' signals, instead of on a listening connection of its own.
/// PostgreSQL wakes every listening connection of the database for every notification, whatever its
/// channel, and each wake is a transaction: one listening connection per node halves what the nodes'
/// signals cost (docs/decisions/0029).
/// </summary>
public interface INodeChannel
{
    /// <summary>The channel's name: a plain SQL identifier.</summary>
    string Channel { get; }

    /// <summary>
    /// The node's connection listens on <see cref="Channel"/> from now on (true), or it was lost (false):
    /// a notification sent while nobody listened is never heard.
    /// </summary>
    void ListeningChanged(bool listening);

    /// <summary>A notification on <see cref="Channel"/>, as it arrived.</summary>
    void Heard(string payload);
}
