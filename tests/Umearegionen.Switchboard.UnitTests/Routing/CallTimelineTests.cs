using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.UnitTests.Routing;

public sealed class CallTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly string Anna = Guid.NewGuid().ToString();

    private static EventRow Event(int n, string type, string? actor, string? data = null, string? actorName = null, string? operatorName = null) =>
        new(n, T0.AddSeconds(n), type, actor, actorName, data, operatorName);

    [Fact]
    public void OfferToAnOperatorWhenTheCallerHangsUpIsWithdrawn()
    {
        var timeline = CallTimeline.Build([
            Event(1, "received", "telephony", """{"dialledNumber":"+4693214000","menuTopic":null,"priority":0}"""),
            Event(2, "offered", "intake", $$"""{"operatorId":"{{Anna}}","expiresAt":"2026-12-06T08:00:17Z"}""", operatorName: "Anna"),
            Event(3, "platform_ended", "telephony"),
        ], personal: false);

        Assert.Equal("Received from the telephony platform: dialled +4693214000.", timeline[0].Summary);
        Assert.Equal(("Anna", "withdrawn"), (timeline[1].OperatorName, timeline[1].OfferEnded));
        Assert.Equal("Offered to Anna; withdrawn: the caller hung up.", timeline[1].Summary);
        Assert.Equal("telephony", timeline[2].Actor);
    }

    [Fact]
    public void CallPickedFromTheQueueAndTransferredWithoutConsultationIsABlindTransfer()
    {
        const string Destination = """{"kind":"unit","id":"u-1","number":"+4693214100","name":"Socialtjänsten"}""";
        var timeline = CallTimeline.Build([
            Event(1, "received", "telephony"),
            Event(2, "accepted", Anna, actorName: "Anna"),
            Event(3, "consultation_started", Anna, Destination, actorName: "Anna"),
            Event(4, "consultation_cancelled", Anna, actorName: "Anna"),
            Event(5, "completed", Anna, $$"""{"outcome":"transferred","wrapUpCategory":"transfer","details":{{Destination}}}""", actorName: "Anna"),
        ], personal: false);

        Assert.Equal(("operator", "Anna took the call from the queue."), (timeline[1].Actor, timeline[1].Summary));
        Assert.Equal("Socialtjänsten", timeline[2].To?.Name);
        Assert.Equal(("blind", "+4693214100"), (timeline[4].TransferMode, timeline[4].To?.Number));
        Assert.Equal("Anna transferred the call (blind) to Socialtjänsten. Wrap-up category \"transfer\".", timeline[4].Summary);
    }

    [Fact]
    public void AnsweredCallsNoteIsOnlyForReadersWhoMaySeePersonalData()
    {
        EventRow[] events = [Event(1, "completed", Anna, """{"outcome":"answered","wrapUpCategory":"info","details":{"note":"Ring Greta"}}""", actorName: "Anna")];

        Assert.Equal("Ring Greta", CallTimeline.Build(events, personal: true)[0].Note);
        Assert.Null(CallTimeline.Build(events, personal: false)[0].Note);
        Assert.Equal("Anna answered the caller without a transfer. Wrap-up category \"info\".", CallTimeline.Build(events, personal: false)[0].Summary);
    }

    [Fact]
    public void RefusedDestinationsAndUnknownEventsStillReadAsSentences()
    {
        var timeline = CallTimeline.Build([
            Event(1, "destination_closed", Anna, """{"unitId":"u-2","unitName":"Bygglov","attempt":"transfer","mode":"blind","opensAt":null}"""),
            Event(2, "something_new", "telephony"),
        ], personal: true);

        Assert.Equal("A blind transfer to Bygglov was refused: the unit was closed.", timeline[0].Summary);
        Assert.Equal(("unit", "u-2"), (timeline[0].To?.Kind, timeline[0].To?.Id));
        Assert.Equal("Event \"something_new\".", timeline[1].Summary);
    }
}
