namespace Umearegionen.Switchboard.Platform.Cluster;

/// <summary>
/// A look at the database that a loop of the leader would otherwise take in a transaction of its own every second
/// or two, taken instead inside the leader's sweep (Routing.Sweeper, every Routing:SweepInterval) in the sweep's own
/// transaction: one commit a second for all of them (docs/decisions/0027-loops-ride-the-sweep.md). A rider only
/// reads, runs on the leader node only, and must not take long: the sweep holds its locks until it commits.
/// </summary>
public interface ISweepRider
{
    /// <summary>Reads on <paramref name="connection"/> in <paramref name="transaction"/>; what it read is the rider's to keep.</summary>
    Task RideAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
}
