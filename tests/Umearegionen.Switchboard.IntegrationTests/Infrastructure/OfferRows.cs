namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// Every offer made and how it ended, read from the calls' history: the service keeps no table of offers
/// (docs/call-cost.md, P2). An offer is an <c>offered</c> event (its data names the operator and the
/// expiry); it ended with the call's next event among the offer's endings: <c>accepted</c>,
/// <c>offer_declined</c>, <c>offer_timed_out</c>, <c>offer_withdrawn</c>, or <c>platform_ended</c> (the
/// caller hung up while it rang: withdrawn). A next <c>offered</c> with none of these between leaves the
/// first open, as does no next event at all. Use as a table: <c>from {OfferRows.Table} o</c>, with the
/// columns the old <c>offers</c> table had.
/// </summary>
public static class OfferRows
{
    public const string Table = """
        (select e.id, e.call_id, (e.data->>'operatorId')::uuid as operator_id, e.occurred_at as offered_at,
                (e.data->>'expiresAt')::timestamptz as expires_at,
                case n.type when 'accepted' then 'accepted' when 'offer_declined' then 'declined'
                            when 'offer_timed_out' then 'timed_out' when 'offer_withdrawn' then 'withdrawn'
                            when 'platform_ended' then 'withdrawn' end as resolution,
                case when n.type <> 'offered' then n.occurred_at end as resolved_at
         from call_history_events e
         left join lateral (
             select x.type, x.occurred_at from call_history_events x
             where x.call_id = e.call_id and x.id > e.id
               and x.type in ('offered', 'accepted', 'offer_declined', 'offer_timed_out', 'offer_withdrawn', 'platform_ended')
             order by x.id limit 1) n on true
         where e.type = 'offered')
        """;
}
