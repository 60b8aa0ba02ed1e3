namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// The call's first event, <c>received</c>, carries no platform event id (docs/call-cost.md): a retried
/// intake is recognised by the call's platform id, so the id took an entry in
/// <c>call_events_platform_event</c> at every call for nothing, and made a platform event whose id
/// happened to be "received" look like a retry.
/// </summary>
public sealed class ReceivedEventTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    [Fact]
    public async Task TheReceivedEventTakesNoPlatformEventIdAndAPlatformEventWithThatIdIsRecorded()
    {
        await using var world = new RoutingDriver(app);
        var call = await world.CallAsync();
        var platform = await world.PlatformAsync();

        var answered = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Answered, eventId: "received");
        var again = await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Answered, eventId: "received");

        Assert.True(answered.Recorded);
        Assert.False(again.Recorded);
        Assert.Equal("received: platform_answered:received", await world.ScalarAsync<string>(
            "select string_agg(type || ':' || coalesce(platform_event_id, ''), ' ' order by id) from call_events where call_id = @id",
            new { id = call.CallId }));
    }
}
