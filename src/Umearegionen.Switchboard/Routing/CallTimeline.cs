namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// A call's stored events as steps a person can read (docs/personal-data.md, "A call's history").
/// Pure: how an offer ended is the next event that settles it (accepted, declined, timed out, or
/// the caller hanging up), and a transfer is attended when a consultation was still open at completion,
/// exactly as the routing statements write them.
/// </summary>
public static class CallTimeline
{
    public static IReadOnlyList<TimelineEntry> Build(IReadOnlyList<EventRow> events, bool personal)
    {
        var entries = new List<TimelineEntry>(events.Count);
        int? openOffer = null;
        Destination? consulting = null;
        foreach (var e in events)
        {
            using var data = e.Data is null ? null : JsonDocument.Parse(e.Data);
            var d = data?.RootElement;
            var actor = ActorKind(e.ActorId);
            var who = e.ActorName ?? actor;
            var entry = new TimelineEntry(e.Id, e.OccurredAt, e.Type, e.Type, actor, e.ActorName, null, null, null, null, null, null, null);
            switch (e.Type)
            {
                case "received":
                    var topic = Text(d, "menuTopic");
                    entry = entry with
                    {
                        Summary = $"Received from the telephony platform: dialled {Text(d, "dialledNumber")}"
                                  + (topic is null ? "." : $", menu choice \"{topic}\"."),
                    };
                    break;
                case "offered":
                    SettleOffer(entries, ref openOffer, "withdrawn");
                    openOffer = entries.Count;
                    entry = entry with
                    {
                        OperatorName = e.OperatorName, OfferEnded = "open",
                        Summary = $"Offered to {e.OperatorName ?? "an operator"}.",
                    };
                    break;
                case "offer_declined":
                    SettleOffer(entries, ref openOffer, "declined");
                    entry = entry with { OperatorName = e.ActorName, Summary = $"{who} handed the offer back." };
                    break;
                case "offer_timed_out":
                    SettleOffer(entries, ref openOffer, "timed_out");
                    entry = entry with { OperatorName = e.OperatorName, Summary = $"The offer to {e.OperatorName ?? "the operator"} was not accepted in time." };
                    break;
                case "accepted":
                    var fromOffer = openOffer is not null;
                    SettleOffer(entries, ref openOffer, "accepted");
                    entry = entry with
                    {
                        OperatorName = e.ActorName,
                        Summary = fromOffer ? $"{who} accepted the call." : $"{who} took the call from the queue.",
                    };
                    break;
                case "consultation_started":
                    consulting = DestinationOf(d);
                    entry = entry with { To = consulting, Summary = $"{who} consulted {consulting?.Name ?? "a destination"} while the caller waited." };
                    break;
                case "consultation_cancelled":
                    consulting = null;
                    entry = entry with { Summary = $"{who} ended the consultation and returned to the caller." };
                    break;
                case "destination_closed":
                    entry = entry with
                    {
                        To = new Destination("unit", Text(d, "unitId"), null, Text(d, "unitName") ?? "a unit"),
                        Summary = $"{Attempt(d)} to {Text(d, "unitName") ?? "a unit"} was refused: the unit was closed.",
                    };
                    break;
                case "destination_away":
                    entry = entry with
                    {
                        To = new Destination("person", Text(d, "personId"), null, "a person"),
                        Summary = $"{Attempt(d)} to a person was refused: they were away.",
                    };
                    break;
                case "completed":
                    entry = Completed(entry, d, who, consulting, personal);
                    consulting = null;
                    break;
                case "platform_answered":
                    entry = entry with { Summary = "The telephony platform reported the operator's phone answered." };
                    break;
                case "platform_transferred":
                    entry = entry with { Summary = "The telephony platform reported the transfer done." };
                    break;
                case "platform_ended":
                    SettleOffer(entries, ref openOffer, "withdrawn");
                    entry = entry with { Summary = "The telephony platform reported the call ended (the caller hung up or was put through)." };
                    break;
                default:
                    entry = entry with { Summary = $"Event \"{e.Type}\"." };
                    break;
            }

            entries.Add(entry);
        }

        return entries;
    }

    private static TimelineEntry Completed(TimelineEntry entry, JsonElement? d, string who, Destination? consulting, bool personal)
    {
        var outcome = Text(d, "outcome");
        var category = Text(d, "wrapUpCategory");
        var details = d is { } root && root.TryGetProperty("details", out var x) && x.ValueKind == JsonValueKind.Object ? x : (JsonElement?)null;
        entry = entry with { Outcome = outcome, WrapUpCategory = category };
        var wrapUp = category is null ? "" : $" Wrap-up category \"{category}\".";
        switch (outcome)
        {
            case CallOutcomes.Transferred:
                var to = DestinationOf(details);
                var mode = consulting is not null ? "attended" : "blind";
                return entry with
                {
                    To = to, TransferMode = mode, Note = personal ? Text(details, "note") : null,
                    Summary = $"{who} transferred the call ({mode}) to {to?.Name ?? "a destination"}.{wrapUp}",
                };
            case CallOutcomes.Answered when Text(details, "question") is { } question:
                return entry with
                {
                    Note = personal ? Text(details, "note") : null,
                    AnswerId = Guid.TryParse(Text(details, "answerId"), out var answerId) ? answerId : null, AnswerQuestion = question,
                    Summary = $"{who} answered the caller with an answer: \"{question}\".{wrapUp}",
                };
            case CallOutcomes.Answered:
                return entry with { Note = personal ? Text(details, "note") : null, Summary = $"{who} answered the caller without a transfer.{wrapUp}" };
            case CallOutcomes.Callback:
                var unit = Text(details, "unitName");
                return entry with
                {
                    To = new Destination("unit", Text(details, "unitId"), null, unit ?? "a unit"),
                    Summary = $"{who} booked a callback from {unit ?? "a unit"} between {Instant(details, "windowStart")} and {Instant(details, "windowEnd")}.{wrapUp}",
                };
            case CallOutcomes.Message:
                var recipient = Text(details, "recipientName");
                return entry with
                {
                    To = new Destination(Text(details, "recipientKind") ?? "person", Text(details, "recipientId"), null, recipient ?? "a recipient"),
                    Summary = $"{who} took a message for {recipient ?? "a recipient"}.{wrapUp}",
                };
            case CallOutcomes.FaultReport:
                return entry with { Summary = $"{who} registered a fault report for municipality {Text(details, "municipalityCode")}.{wrapUp}" };
            default:
                return entry with { Summary = $"{who} completed the call ({outcome}).{wrapUp}" };
        }
    }

    // The offer entry still open (if any) gets how it ended.
    private static void SettleOffer(List<TimelineEntry> entries, ref int? openOffer, string how)
    {
        if (openOffer is not { } at)
        {
            return;
        }

        var offer = entries[at];
        var ending = how switch
        {
            "accepted" => "accepted",
            "declined" => "handed back",
            "timed_out" => "not accepted in time",
            _ => "withdrawn: the caller hung up",
        };
        entries[at] = offer with { OfferEnded = how, Summary = $"Offered to {offer.OperatorName ?? "an operator"}; {ending}." };
        openOffer = null;
    }

    private static string ActorKind(string? actorId) => actorId switch
    {
        null => "unknown",
        "telephony" or "dispatcher" or "intake" or "sweeper" => actorId,
        _ when Guid.TryParse(actorId, out _) => "operator",
        _ => actorId,
    };

    private static string Attempt(JsonElement? d) => (Text(d, "attempt"), Text(d, "mode")) switch
    {
        ("transfer", { } mode) => $"A {mode} transfer",
        ("transfer", null) => "A transfer",
        ("consultation", _) => "A consultation",
        (var other, _) => other is null ? "A step" : $"A {other}",
    };

    private static Destination? DestinationOf(JsonElement? d)
    {
        if (d is not { ValueKind: JsonValueKind.Object } e)
        {
            return null;
        }

        var name = Text(e, "name");
        return name is null ? null : new Destination(Text(e, "kind") ?? "unit", Text(e, "id"), Text(e, "number"), name);
    }

    private static string? Text(JsonElement? d, string property) =>
        d is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            }
            : null;

    private static string Instant(JsonElement? d, string property) =>
        Text(d, property) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
            : "?";
}
