namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

/// <summary>Operators see changes of opening hours live.</summary>
public sealed class OpeningHoursLiveTests(FakeClockApp app) : IClassFixture<FakeClockApp>
{
    [Fact]
    public async Task AChangeOfAUnitsHoursReachesAConnectedOperator()
    {
        var unitId = await NewUnitAsync(app, "2460");
        var changes = new List<OpeningHoursChange>();
        var received = new TaskCompletionSource<OpeningHoursChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = app.HubConnection(await app.TokenForAsync(Roles.Operator, "2403"));
        hub.On<OpeningHoursChange>(nameof(ISwitchboardClient.OpeningHoursChanged), change =>
        {
            if (change.Id == unitId.ToString())
            {
                received.TrySetResult(change);
            }
        });
        await hub.StartAsync();

        await EnsureAsync(await PutHoursAsync(await app.ClientForAsync(Roles.Editor, "2460"), unitId, 0, Office()), HttpStatusCode.OK);

        var pushed = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("unit", "2460", 1), (pushed.Kind, pushed.MunicipalityCode, pushed.Version));
        Assert.Equal(app.Clock!.GetUtcNow(), pushed.At);
    }
}
