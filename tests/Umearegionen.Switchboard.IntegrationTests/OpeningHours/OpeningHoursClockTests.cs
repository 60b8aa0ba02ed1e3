namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>Without an instant, the status is answered for now by the service's clock.</summary>
/// <remarks>Signs in before it moves the clock (see <see cref="FakeClockApp"/>).</remarks>
public sealed class OpeningHoursClockTests(FakeClockApp app) : IClassFixture<FakeClockApp>
{
    [Fact]
    public async Task StatusWithoutAnInstantUsesTheServicesClock()
    {
        var unitId = await UnitWithHoursAsync(app, "2480", Office());

        // Tokens are checked against the service's clock, so each reader signs in after the clock moves.
        var wednesday = FakeClock.WednesdayAhead(app.Clock!);
        app.Clock!.SetUtcNow(FakeClock.At(wednesday, 10, 0).ToUniversalTime());
        var open = await GetJsonAsync(await app.ClientForAsync(Roles.Operator), $"/api/opening-hours/units/{unitId}/status");
        app.Clock.SetUtcNow(FakeClock.At(wednesday, 12, 30).ToUniversalTime());
        var lunch = await GetJsonAsync(await app.ClientForAsync(Roles.Operator), $"/api/opening-hours/units/{unitId}/status");

        Assert.Equal("open", open.GetProperty("status").GetString());
        Assert.Equal(FakeClock.At(wednesday, 10, 0), Instant(open, "at"));
        Assert.Equal(FakeClock.At(wednesday, 12, 0), Instant(open, "closesAt"));
        Assert.Equal("closed", lunch.GetProperty("status").GetString());
        Assert.Equal(FakeClock.At(wednesday, 13, 0), Instant(lunch, "opensAt"));
    }
}
