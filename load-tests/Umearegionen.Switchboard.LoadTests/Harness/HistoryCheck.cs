namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>
/// Whether a call's event history (event types in the order recorded) is consistent with its final
/// state: received first and once; no more offers declined or timed out than made; completed calls
/// were accepted once (an offer, or picked from the queue, which AcceptCall allows) and completed
/// once, in that order; abandoned calls were ended by the caller and never accepted or completed.
/// </summary>
public static class HistoryCheck
{
    public static string? Problem(string state, string? outcome, IReadOnlyList<string> events)
    {
        if (events.Count == 0 || events[0] != "received") return "does not start with received";
        if (events.Count(e => e == "received") != 1) return "received more than once";
        var offered = events.Count(e => e == "offered");
        var resolved = events.Count(e => e is "offer_declined" or "offer_timed_out");
        if (resolved > offered) return "more offers resolved than made";
        var accepted = events.IndexOf("accepted");
        var completed = events.IndexOf("completed");
        switch (state)
        {
            case "completed":
                if (outcome is null or "abandoned") return "completed without an operator's outcome";
                if (events.Count(e => e == "accepted") != 1) return "completed but accepted " + events.Count(e => e == "accepted") + " times";
                if (events.Count(e => e == "completed") != 1) return "completed more than once";
                if (accepted > completed) return "completed before accepted";
                if (events.Skip(completed + 1).Any(e => !e.StartsWith("platform_", StringComparison.Ordinal))) return "operator events after completion";
                return null;
            case "abandoned":
                if (outcome != "abandoned") return "abandoned with outcome " + outcome;
                if (accepted >= 0 || completed >= 0) return "abandoned after being accepted";
                if (!events.Contains("platform_ended")) return "abandoned without the caller hanging up";
                return null;
            default:
                return "not ended (" + state + ")";
        }
    }

    /// <summary>
    /// What several nodes could get wrong in a call's offers, from its events in the order recorded
    /// (each is written under the call's row lock, so their ids are in the order they happened): an
    /// offer made while an earlier one was still open (not yet declined, timed out, accepted, or ended
    /// by the caller hanging up), and the call accepted more than once.
    /// </summary>
    public static (bool TwoOffersOpen, bool AcceptedTwice) OfferProblems(IReadOnlyList<string> events)
    {
        var open = false;
        var twoOpen = false;
        var accepted = 0;
        foreach (var e in events)
        {
            switch (e)
            {
                case "offered":
                    twoOpen |= open;
                    open = true;
                    break;
                case "offer_declined" or "offer_timed_out" or "platform_ended":
                    open = false;
                    break;
                case "accepted":
                    accepted++;
                    open = false;
                    break;
            }
        }

        return (twoOpen, accepted > 1);
    }

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value) return i;
        }

        return -1;
    }
}
