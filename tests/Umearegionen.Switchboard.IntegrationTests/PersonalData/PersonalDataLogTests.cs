using Umearegionen.Switchboard.IntegrationTests.Platform;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>Erasures and retention runs log what they did, counted, never whose data it was.</summary>
public sealed class PersonalDataLogTests(PersonalDataLoggingTests.App app) : IClassFixture<PersonalDataLoggingTests.App>
{
    [Fact]
    public async Task ErasuresAndRunsAreLoggedWithoutTheNumberOrName()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var caller = PersonalDataWorld.NewCaller();
        const string Name = "Ingrid Loggraderasson";
        var op = await driver.OperatorAsync();
        await world.MessageAsync(op, caller, Name, "Ring mig", sent: true);

        var byNumber = await world.EraseAsync(new { number = caller, reason = "case 81" });
        var byName = await world.EraseAsync(new { name = Name, reason = "case 82" });
        var admin = await app.ClientForAsync(Roles.Administrator);
        var run = await admin.PostAsync("/api/personal-data/retention/run", null);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (byNumber.StatusCode, byName.StatusCode, run.StatusCode));
        Assert.Equal(2, app.Log.Events.Count(e => e.StartsWith("Erasure by", StringComparison.Ordinal)));
        Assert.Contains(app.Log.Events, e => e.StartsWith("Retention run", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Events, e => e.Contains(caller[3..], StringComparison.Ordinal) || e.Contains("Loggraderasson", StringComparison.Ordinal));
    }
}
