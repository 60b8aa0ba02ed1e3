namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>Whether a unit is open at an instant, and for how long or until when.</summary>
/// <param name="At">The instant evaluated.</param>
/// <param name="IsOpen">Open at <paramref name="At"/>.</param>
/// <param name="ClosesAt">
/// When open: the end of the contiguous open period, with abutting intervals merged. Null when it
/// stays open for the whole search horizon (a 24/7 line).
/// </param>
/// <param name="OpensAt">When closed: the next opening within the search horizon, or null if none.</param>
/// <param name="Reason">The deviation reason of the day that decided the answer, if any.</param>
/// <param name="WhenClosed">When closed: what to offer the caller.</param>
public sealed record OpenStatus(
    DateTimeOffset At,
    bool IsOpen,
    DateTimeOffset? ClosesAt,
    DateTimeOffset? OpensAt,
    string? Reason,
    ClosedAction? WhenClosed)
{
    /// <summary>Time left until closing; null when closed or not closing within the horizon.</summary>
    public TimeSpan? TimeUntilClose => IsOpen && ClosesAt is { } closes ? closes - At : null;

    /// <summary>
    /// True when open now but closing within <paramref name="span"/>, e.g. to avoid transferring a
    /// call to a unit about to close. False when already closed: check <see cref="IsOpen"/> first.
    /// </summary>
    public bool ClosesWithin(TimeSpan span) => TimeUntilClose is { } left && left <= span;
}
