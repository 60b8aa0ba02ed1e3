using System.Net;
using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The tables every call writes keep no foreign keys (docs/decisions/0020): each check locked the parent
/// row, a WAL record per call and transaction. Integrity rests on the statements, which take every such
/// value from the parent's row, and on calls never being deleted. These tests drive every kind of call
/// life routing has and then look for a reference without its row.
/// </summary>
public sealed class ReferencesWithoutForeignKeysTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private static readonly Destination Unit = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");

    // Every reference the dropped keys checked, each counted where its row is missing.
    private const string OrphansSql = """
        select 'call_events' as what, count(*) as n from call_events e where not exists (select 1 from calls c where c.id = e.call_id)
        union all
        select 'telephony_instructions', count(*) from telephony_instructions i where not exists (select 1 from calls c where c.id = i.call_id)
        union all
        select 'call_queue', count(*) from call_queue q where not exists (select 1 from calls c where c.id = q.call_id)
        union all
        select 'call_facts', count(*) from call_facts f where not exists (select 1 from calls c where c.id = f.call_id)
        union all
        select 'calls.municipality_code', count(*) from calls c
        where c.municipality_code is not null and not exists (select 1 from municipalities m where m.code = c.municipality_code)
        union all
        select 'calls.offered_to', count(*) from calls c
        where c.offered_to is not null and not exists (select 1 from accounts a where a.id = c.offered_to)
        union all
        select 'calls.operator_id', count(*) from calls c
        where c.operator_id is not null and not exists (select 1 from accounts a where a.id = c.operator_id)
        """;

    [Fact]
    public async Task TheTablesEveryCallWritesHaveNoForeignKeysWhileRowsOfSomeCallsKeepTheirs()
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        var keys = (await conn.QueryAsync<(string Table, string Name)>("""
            select conrelid::regclass::text, conname from pg_constraint
            where contype = 'f' and (conrelid = any(array['calls', 'call_events', 'telephony_instructions', 'call_queue']::regclass[])
                                     or confrelid = 'calls'::regclass)
            order by 1, 2
            """)).Select(k => $"{k.Table}.{k.Name}").ToList();

        // No key on the call's path, nor on the facts (decision 0021); the tables written by some calls only keep theirs.
        Assert.Equal(
        [
            "call_answers.call_answers_call_id_fkey",
            "call_transfers_with_answers.call_transfers_with_answers_call_id_fkey", "callbacks.callbacks_call_id_fkey",
            "fault_reports.fault_reports_call_id_fkey", "guidance_sends.guidance_sends_call_id_fkey", "messages.messages_call_id_fkey",
        ], keys);
    }

    [Fact]
    public async Task EveryKindOfCallLifeLeavesNoReferenceWithoutItsRow()
    {
        await using var world = new RoutingDriver(app);
        var platform = await world.PlatformAsync();
        var calls = new List<Guid>();

        // Offered on arrival, declined, offered by the dispatcher and not taken in time, offered again,
        // accepted, consulted on, transferred; then the platform's events for it.
        var decliner = await world.OperatorAsync();
        app.Clock!.Advance(TimeSpan.FromSeconds(1));
        var slow = await world.OperatorAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var taker = await world.OperatorAsync();
        var transferred = await world.CallAsync();
        calls.Add(transferred.CallId);
        await decliner.NextOfferAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await decliner.Connection.InvokeAsync("DeclineOffer", transferred.CallId);
        Assert.Equal(transferred.CallId, (await slow.NextOfferAsync()).Call.Id);
        app.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(transferred.CallId, (await taker.NextOfferAsync()).Call.Id);
        await taker.AcceptAsync(transferred.CallId);
        await taker.Connection.InvokeAsync<CallView>("StartConsultation", new ConsultRequest(transferred.CallId, Unit));
        await taker.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(transferred.CallId, "attended", Unit, "transfer-unit"));
        await platform.ReportAsync(transferred.PlatformCallId, PlatformEventTypes.Answered);
        await platform.ReportAsync(transferred.PlatformCallId, PlatformEventTypes.Transferred);
        await platform.ReportAsync(transferred.PlatformCallId, PlatformEventTypes.Ended);

        // No one free: queued, then picked from the queue and answered; queued and abandoned.
        await decliner.SetStatusAsync(OperatorStatuses.Paused, "test");
        await taker.SetStatusAsync(OperatorStatuses.Paused, "test");
        var picked = await world.CallAsync();
        var abandonedWaiting = await world.CallAsync();
        calls.AddRange([picked.CallId, abandonedWaiting.CallId]);
        Assert.Equal(CallStates.Queued, picked.State);
        await decliner.AcceptAsync(picked.CallId);
        await decliner.AnswerAsync(picked.CallId);
        Assert.Equal(CallStates.Abandoned, (await platform.ReportAsync(abandonedWaiting.PlatformCallId, PlatformEventTypes.Ended)).State);

        // Rung on arrival and abandoned while it rang.
        var ringing = await world.OperatorAsync();
        var abandonedRinging = await world.CallAsync();
        calls.Add(abandonedRinging.CallId);
        Assert.Equal(abandonedRinging.CallId, (await ringing.NextOfferAsync()).Call.Id);
        Assert.Equal(CallStates.Abandoned, (await platform.ReportAsync(abandonedRinging.PlatformCallId, PlatformEventTypes.Ended)).State);
        await ringing.Next(ringing.Withdrawn);

        // An event for a call never reported stores nothing.
        var client = await app.TelephonyClientAsync();
        var unknown = await client.PostAsJsonAsync("/api/telephony/calls/never-reported/events", new CallEventReport("e-1", PlatformEventTypes.Answered));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // The lives were written: events and instructions of each call, and every call ended.
        Assert.Equal(calls.Count, await world.ScalarAsync<long>(
            "select count(*) from calls where id = any(@calls) and state in ('completed', 'abandoned')", new { calls = calls.ToArray() }));
        Assert.True(await world.ScalarAsync<long>("select count(*) from call_history_events where call_id = any(@calls)", new { calls = calls.ToArray() }) >= 20);
        Assert.True(await world.ScalarAsync<long>(
            "select count(*) from telephony_instructions where call_id = any(@calls)", new { calls = calls.ToArray() }) >= 8);
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        var orphans = (await conn.QueryAsync<(string What, long N)>(OrphansSql)).Where(o => o.N > 0).Select(o => $"{o.What}: {o.N}").ToList();
        Assert.Empty(orphans);
    }

    [Fact]
    public async Task ACallIsNeverDeleted()
    {
        await using var world = new RoutingDriver(app);
        var call = await world.CallAsync();
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("delete from calls where id = @id", new { id = call.CallId }));

        Assert.Equal(PostgresErrorCodes.RestrictViolation, refused.SqlState);
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from calls where id = @id", new { id = call.CallId }));
    }
}
