namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The calls and operators of offers that are being stored. A dispatch round that read the queue before
/// such an offer was committed still sees its call waiting and its operator free, so it must leave them
/// alone. An offer is released once its statement has committed: a read that starts after that sees it.
/// </summary>
public sealed class OfferReservations
{
    private readonly object _gate = new();
    private readonly HashSet<Guid> _calls = [];
    private readonly HashSet<Guid> _operators = [];

    public sealed record Reservation(IReadOnlyList<Assignment> Assignments);

    public Reservation Reserve(IReadOnlyList<Assignment> assignments)
    {
        lock (_gate)
        {
            if (assignments.FirstOrDefault(a => _calls.Contains(a.CallId) || _operators.Contains(a.OperatorId)) is { } taken)
            {
                throw new InvalidOperationException($"Call {taken.CallId} or operator {taken.OperatorId} is already in an offer being stored.");
            }

            foreach (var a in assignments)
            {
                _calls.Add(a.CallId);
                _operators.Add(a.OperatorId);
            }
        }

        return new Reservation(assignments);
    }

    /// <summary>Call after the offers' statement has committed or failed.</summary>
    public void Release(Reservation reservation)
    {
        lock (_gate)
        {
            foreach (var a in reservation.Assignments)
            {
                _calls.Remove(a.CallId);
                _operators.Remove(a.OperatorId);
            }
        }
    }

    /// <summary>What a read about to start must leave alone. Take it before the read.</summary>
    public (IReadOnlySet<Guid> Calls, IReadOnlySet<Guid> Operators) UnderWay()
    {
        lock (_gate)
        {
            return (_calls.ToHashSet(), _operators.ToHashSet());
        }
    }
}
