namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class DirectoryLiveTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task ConnectedOperatorReceivesADirectoryChange()
    {
        await using var connection = app.HubConnection(await app.TokenForAsync(Roles.Operator, "2403"));
        var received = new List<DirectoryChange>();
        var arrived = new SemaphoreSlim(0);
        connection.On<DirectoryChange>(nameof(ISwitchboardClient.DirectoryChanged), change =>
        {
            lock (received)
            {
                received.Add(change);
            }

            arrived.Release();
        });
        await connection.StartAsync();
        var editor = await app.ClientForAsync(Roles.Editor, "2480");

        var unit = await CreateUnitAsync(editor, "2480", Unique("Vatten och avlopp"));

        DirectoryChange? match = null;
        while (match is null && await arrived.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            lock (received)
            {
                match = received.FirstOrDefault(c => c.Id == unit.Id.ToString());
            }
        }

        Assert.NotNull(match);
        Assert.Equal(("unit", "2480", "created", 1), (match.EntityType, match.MunicipalityCode, match.Action, match.Version));
    }

    [Fact]
    public async Task RefusedChangeIsNotPushed()
    {
        var unit = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2460"), "2460", Unique("Avfall"));
        await using var connection = app.HubConnection(await app.TokenForAsync(Roles.Operator));
        var received = new List<DirectoryChange>();
        connection.On<DirectoryChange>(nameof(ISwitchboardClient.DirectoryChanged), change =>
        {
            lock (received)
            {
                received.Add(change);
            }
        });
        await connection.StartAsync();
        var other = await app.ClientForAsync(Roles.Editor, "2480");

        await SendAsync(other, HttpMethod.Delete, $"/api/directory/units/{unit.Id}", unit.Version);
        // A later, allowed change marks where the refused one would have arrived.
        var marker = await CreateUnitAsync(await app.ClientForAsync(Roles.Editor, "2460"), "2460", Unique("Markör"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            lock (received)
            {
                if (received.Any(c => c.Id == marker.Id.ToString()))
                {
                    break;
                }
            }

            await Task.Delay(20);
        }

        lock (received)
        {
            Assert.Contains(received, c => c.Id == marker.Id.ToString());
            Assert.DoesNotContain(received, c => c.Id == unit.Id.ToString());
        }
    }
}
