namespace Umearegionen.Switchboard.Routing;

public sealed record WaitingCall(Guid Id, int Priority, DateTimeOffset QueuedAt);

public sealed record FreeOperator(Guid Id, bool Cover, DateTimeOffset IdleSince);

public sealed record Assignment(Guid CallId, Guid OperatorId);

/// <summary>
/// Who gets the next offer. Pure: the queue, the free operators and the time go in, offers come out.
/// </summary>
public static class RoutingPolicy
{
    /// <summary>The queue's order: higher priority first, then longest waited.</summary>
    public static IOrderedEnumerable<WaitingCall> QueueOrder(IEnumerable<WaitingCall> calls) =>
        calls.OrderByDescending(c => c.Priority).ThenBy(c => c.QueuedAt).ThenBy(c => c.Id);

    /// <summary>
    /// Offers the waiting calls, in queue order, to the free main operators idle longest. The cover
    /// team is offered a call only when the call has waited at least <paramref name="coverThreshold"/>
    /// or when no main operator is on duty (none available, whether free or busy).
    /// </summary>
    public static IReadOnlyList<Assignment> Assign(
        IEnumerable<WaitingCall> queue, IEnumerable<FreeOperator> free, bool mainTeamOnDuty,
        TimeSpan coverThreshold, DateTimeOffset now)
    {
        var main = new Queue<FreeOperator>(free.Where(o => !o.Cover).OrderBy(o => o.IdleSince).ThenBy(o => o.Id));
        var cover = new Queue<FreeOperator>(free.Where(o => o.Cover).OrderBy(o => o.IdleSince).ThenBy(o => o.Id));
        var assignments = new List<Assignment>();
        foreach (var call in QueueOrder(queue))
        {
            if (main.Count == 0 && cover.Count == 0)
            {
                break;
            }

            if (main.TryDequeue(out var mainOperator))
            {
                assignments.Add(new Assignment(call.Id, mainOperator.Id));
            }
            else if (MayGoToCover(call, mainTeamOnDuty, coverThreshold, now) && cover.TryDequeue(out var coverOperator))
            {
                assignments.Add(new Assignment(call.Id, coverOperator.Id));
            }
        }

        return assignments;
    }

    public static bool MayGoToCover(WaitingCall call, bool mainTeamOnDuty, TimeSpan coverThreshold, DateTimeOffset now) =>
        !mainTeamOnDuty || now - call.QueuedAt >= coverThreshold;
}

/// <summary>Telephone numbers as the platform and people write them, in one form (+46...).</summary>
public static class PhoneNumbers
{
    public static string Normalise(string number)
    {
        var digits = new string(number.Where(ch => char.IsDigit(ch) || ch == '+').ToArray());
        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            return "+" + digits[2..];
        }

        if (digits.StartsWith('0'))
        {
            return "+46" + digits[1..];
        }

        return digits;
    }

    /// <summary>
    /// Written as a number: digits and the separators people write (space, -, ., /, parentheses), with at
    /// most a leading +, and <see cref="LooksValid"/>. Stricter than LooksValid, which ignores letters
    /// ("abc123" looks like 123).
    /// </summary>
    public static bool IsWrittenAsNumber(string? number) =>
        number is not null && LooksValid(number)
        && number.Trim().TrimStart('+').All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '-' or '.' or '/' or '(' or ')');

    public static bool LooksValid(string? number) =>
        number is not null && Normalise(number) is var n && n.Length is >= 3 and <= 20
        && n.Skip(1).All(char.IsDigit) && (n[0] == '+' || char.IsDigit(n[0]));
}
