namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>A transfer's note is free text like an answered call's note: it goes with the call's number, from the event and the instruction.</summary>
public sealed class TransferNoteRetentionTests(PersonalDataApp app) : IClassFixture<PersonalDataApp>
{
    private static readonly Destination Desk = new("number", null, "+4693214100", "Socialtjänsten Bjurholm");

    [Fact]
    public async Task ATransferNotePastTheCallersNumberRetentionIsRemovedFromTheEventAndTheInstructionAndARecentOneIsKept()
    {
        await using var driver = new RoutingDriver(app);
        var world = new PersonalDataWorld(app, driver);
        var op = await driver.OperatorAsync();
        var old = await TransferredAsync(world, op, "Gamla Greta om färdtjänsten");
        app.Clock!.Advance(TimeSpan.FromDays(2));
        var recent = await TransferredAsync(world, op, "Nya Nils om skolskjutsen");
        app.Clock.Advance(TimeSpan.FromDays(PersonalDataApp.CallerNumbersDays - 1) + TimeSpan.FromHours(1));

        var admin = await app.ClientForAsync(Roles.Administrator);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/personal-data/retention/run", null)).StatusCode);

        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from call_events where call_id = @old and data::text like '%Greta%'", new { old }));
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from telephony_instructions where call_id = @old and payload::text like '%Greta%'", new { old }));
        // The transfer itself stays told: to whom, and that the instruction was a transfer.
        Assert.Equal("Socialtjänsten Bjurholm", await world.ScalarAsync<string>(
            "select data #>> '{details,name}' from call_events where call_id = @old and type = 'completed'", new { old }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from telephony_instructions where call_id = @old and kind = 'transfer'", new { old }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from call_events where call_id = @recent and data::text like '%Nya Nils%'", new { recent }));
        Assert.Equal(1, await world.ScalarAsync<long>("select count(*) from telephony_instructions where call_id = @recent and payload::text like '%Nya Nils%'", new { recent }));
    }

    private static async Task<Guid> TransferredAsync(PersonalDataWorld world, OperatorClient op, string note)
    {
        var call = await world.ConnectedCallAsync(op, PersonalDataWorld.NewCaller());
        await op.Connection.InvokeAsync<CallView>("TransferCall", new TransferRequest(call.Id, "blind", Desk, "transfer-unit", Note: note));
        await op.SetStatusAsync(OperatorStatuses.Available);
        return call.Id;
    }
}
