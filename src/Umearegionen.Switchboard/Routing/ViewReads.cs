namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The reads that complete an operator's view of a call after a step that wrote (AcceptCall: the suggestions,
/// answers and the caller's recent contacts) run in the step's transaction after a savepoint, so the step and
/// its reads commit once. A read that fails goes back to the savepoint and the step still commits
/// (docs/decisions/0024-one-commit-per-accept-snapshots-only-while-watched.md).
/// </summary>
internal static class ViewReads
{
    internal const string Savepoint = "view_reads";

    /// <summary>After a read failed: the step's transaction can go on and commit. Without a step (autocommit), nothing to do.</summary>
    internal static Task RecoverAsync(NpgsqlTransaction? step) =>
        step is null ? Task.CompletedTask : step.RollbackAsync(Savepoint, CancellationToken.None);
}
