namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>What the database must show after calls were handled by several nodes at once.</summary>
public static class OfferHistory
{
    /// <summary>
    /// Every call was completed, answered by the operator its one accepted offer went to; each offer
    /// has its one `offered` event and one `ring_operator` instruction, to the same operator; and no offer
    /// was made while another was open, in the call's history (the order its events were written) and in
    /// the offers' times.
    /// </summary>
    public static async Task AssertEveryCallOfferedOnceAtATimeAsync(ServiceCluster cluster, Guid[] ids)
    {
        var calls = await cluster.QueryAsync<CallOffers>($"""
            select c.id, c.state, c.outcome, c.operator_id,
                   (select count(*) from {OfferRows.Table} o where o.call_id = c.id) as offers,
                   (select count(*) from {OfferRows.Table} o where o.call_id = c.id and o.resolution is null) as open_offers,
                   (select count(*) from {OfferRows.Table} o where o.call_id = c.id and o.resolution = 'accepted') as accepted_offers,
                   (select min(o.operator_id::text) from {OfferRows.Table} o where o.call_id = c.id and o.resolution = 'accepted')::uuid as accepted_by,
                   (select count(*) from call_history_events e where e.call_id = c.id and e.type = 'offered') as offered_events,
                   (select count(*) from call_history_events e where e.call_id = c.id and e.type = 'accepted') as accepted_events,
                   (select count(*) from telephony_instructions i where i.call_id = c.id and i.kind = 'ring_operator') as rings
            from calls c where c.id = any(@ids)
            """, new { ids });
        Assert.Equal(ids.Length, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal((CallStates.Completed, CallOutcomes.Answered), (c.State, c.Outcome));
            Assert.True(c.Offers >= 1, $"call {c.Id} was never offered");
            Assert.Equal(c.Offers, c.OfferedEvents);
            Assert.Equal(c.Offers, c.Rings);
            Assert.Equal(0, c.OpenOffers);
            Assert.Equal(1, c.AcceptedOffers);
            Assert.Equal(1, c.AcceptedEvents);
            Assert.Equal(c.OperatorId, c.AcceptedBy);
        });

        // The same operators in the offers, their events and their instructions (as multisets).
        foreach (var (name, sql) in new[]
                 {
                     ("offered events", "select call_id, (data->>'operatorId')::uuid from call_history_events where type = 'offered' and call_id = any(@ids)"),
                     ("ring_operator instructions", "select call_id, (payload->>'operatorId')::uuid from telephony_instructions where kind = 'ring_operator' and call_id = any(@ids)"),
                 })
        {
            var differ = await cluster.ScalarAsync<long>($"""
                select count(*) from (
                    (select call_id, operator_id from {OfferRows.Table} offers where call_id = any(@ids) except all {sql})
                    union all
                    ({sql} except all select call_id, operator_id from {OfferRows.Table} offers where call_id = any(@ids))) d
                """, new { ids });
            Assert.True(differ == 0, $"{differ} offers and {name} do not match");
        }

        // In each call's history (events numbered as they were written), an offer is resolved before the next is made.
        var events = await cluster.QueryAsync<EventRow>(
            "select id, call_id, type, actor_id, data->>'operatorId' as operator_id from call_history_events where call_id = any(@ids) order by id",
            new { ids });
        foreach (var history in events.GroupBy(e => e.CallId))
        {
            var open = false;
            foreach (var e in history)
            {
                switch (e.Type)
                {
                    case "offered":
                        Assert.False(open, $"call {history.Key} was offered again while an offer was open: {Describe(history)}");
                        open = true;
                        break;
                    case "accepted" or "offer_timed_out" or "offer_declined" or "completed" or "platform_ended":
                        open = false;
                        break;
                }
            }
        }

        // And in the offers table's times: an offer of a call is made only after the one before it ended.
        var overlapping = await cluster.QueryAsync<string>($$"""
            select a.call_id || ': offer ' || a.id || ' (' || a.offered_at || ' to ' || coalesce(a.resolved_at::text, 'open') || ') and offer '
                   || b.id || ' (from ' || b.offered_at || ')'
            from {{OfferRows.Table}} a join {{OfferRows.Table}} b on b.call_id = a.call_id and b.id > a.id
            where a.call_id = any(@ids) and b.offered_at < coalesce(a.resolved_at, 'infinity') - {{ClockNoise}}
            """, new { ids });
        Assert.True(overlapping.Count == 0, "Offers of one call overlap: " + string.Join("; ", overlapping));
    }

    /// <summary>
    /// How far apart two instants written by different statements may be out of order. Each statement
    /// reads the clock just before it runs (a thread paused in between on a busy machine shifts it),
    /// so times alone can disagree by a little; the events' order (ids from one sequence) cannot, and a
    /// real double offer also shows there.
    /// </summary>
    private const string ClockNoise = "interval '250 milliseconds'";

    /// <summary>
    /// In the order the events were written, and in the offers' times, no operator was offered a call while
    /// they had an offer or a call; and each operator's count of assignments is the number of offers made to them.
    /// </summary>
    public static async Task AssertNoOperatorHadTwoAtATimeAsync(ServiceCluster cluster, Guid[] ids, Guid[] operators)
    {
        var events = await cluster.QueryAsync<EventRow>(
            "select id, call_id, type, actor_id, data->>'operatorId' as operator_id from call_history_events where call_id = any(@ids) order by id",
            new { ids });
        foreach (var op in operators)
        {
            var mine = events.Where(e => e.OperatorId == op.ToString() || e.ActorId == op.ToString()
                                         || (e.Type == "platform_ended" && events.Any(o => o.CallId == e.CallId && o.OperatorId == op.ToString()))).ToList();
            Guid? holding = null;
            var onCall = false;
            foreach (var e in mine)
            {
                switch (e.Type)
                {
                    case "offered":
                        Assert.True(holding is null, $"operator {op} was offered call {e.CallId} while holding call {holding}: {Describe(mine)}");
                        (holding, onCall) = (e.CallId, false);
                        break;
                    case "accepted" when e.CallId == holding:
                        onCall = true;
                        break;
                    case "offer_timed_out" or "offer_declined" or "completed" when e.CallId == holding:
                        holding = null;
                        break;
                    case "platform_ended" when e.CallId == holding && !onCall:
                        // The caller hung up while it was offered: the offer is withdrawn.
                        holding = null;
                        break;
                }
            }
        }

        // And in the offers table's times: no offer to an operator while their last offer was open, or
        // while they were on the call they accepted.
        var overlapping = await cluster.QueryAsync<string>($$"""
            select a.operator_id || ': offer ' || a.id || ' (' || a.offered_at || ' to '
                   || coalesce((case when a.resolution = 'accepted' then c.completed_at else a.resolved_at end)::text, 'open')
                   || ') and offer ' || b.id || ' (from ' || b.offered_at || ')'
            from {{OfferRows.Table}} a join calls c on c.id = a.call_id join {{OfferRows.Table}} b on b.operator_id = a.operator_id and b.id > a.id
            where a.call_id = any(@ids) and b.call_id = any(@ids)
              and b.offered_at < coalesce(case when a.resolution = 'accepted' then c.completed_at else a.resolved_at end, 'infinity') - {{ClockNoise}}
            """, new { ids });
        Assert.True(overlapping.Count == 0, "Offers to one operator overlap: " + string.Join("; ", overlapping));

        var counts = await cluster.QueryAsync<(Guid Operator, long Assignments, long Offers)>($"""
            select o.account_id, o.assignments, (select count(*) from {OfferRows.Table} f where f.operator_id = o.account_id)
            from operators o where o.account_id = any(@operators)
            """, new { operators });
        Assert.All(counts, c => Assert.True(c.Assignments == c.Offers,
            $"operator {c.Operator}: {c.Assignments} assignments counted, {c.Offers} offers made"));
    }

    private static string Describe(IEnumerable<EventRow> events) =>
        string.Join(", ", events.Select(e => $"#{e.Id} {e.Type} {e.CallId.ToString()[..8]} {e.OperatorId ?? e.ActorId}"));

    internal sealed record CallOffers(
        Guid Id, string State, string? Outcome, Guid? OperatorId, long Offers, long OpenOffers, long AcceptedOffers, Guid? AcceptedBy,
        long OfferedEvents, long AcceptedEvents, long Rings);

    internal sealed record EventRow(long Id, Guid CallId, string Type, string? ActorId, string? OperatorId);
}
