using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

public sealed class NoticeTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private NewNotice WaterOutage(string municipality = "2460", int minutes = 180) =>
        new(municipality, ["vatten"], "Vattenavbrott i Vännäs centrum, beräknas klart 18:00", app.Clock!.GetUtcNow().AddMinutes(minutes));

    [Fact]
    public async Task EditorPublishesANoticeThatEveryOperatorSeesPinned()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2460");

        var response = await editor.PostAsJsonAsync("/api/notices", WaterOutage());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var notice = (await response.Content.ReadFromJsonAsync<NoticeView>())!;
        var pushed = await op.Next(op.Notices);
        Assert.Contains(pushed, n => n.Id == notice.Id);
        Assert.Contains((await op.ResyncAsync()).Notices, n => n.Id == notice.Id);
        await editor.DeleteAsync($"/api/notices/{notice.Id}");
    }

    [Fact]
    public async Task ANoticeWhoseEndIsGivenInLocalTimeIsPublishedAtThatInstant()
    {
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2460");
        var endsAt = app.Clock!.GetUtcNow().AddMinutes(90).ToOffset(TimeSpan.FromHours(1));

        // Found by FuzzTests: an offset other than zero reached Npgsql, which stores timestamptz only from UTC (a 500).
        var response = await editor.PostAsJsonAsync("/api/notices", WaterOutage() with { ExpiresAt = endsAt });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var notice = (await response.Content.ReadFromJsonAsync<NoticeView>())!;
        Assert.Equal(endsAt, notice.ExpiresAt);
        await editor.DeleteAsync($"/api/notices/{notice.Id}");
    }

    [Fact]
    public async Task EditorCannotPublishANoticeForAnotherMunicipality()
    {
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2480");

        var response = await editor.PostAsJsonAsync("/api/notices", WaterOutage("2460"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task SwitchboardLeadMayPublishForAnyMunicipalityButAnOperatorMayNot()
    {
        var manager = await RoutingDriver.ClientAsync(app, Roles.Manager);
        var op = await RoutingDriver.ClientAsync(app, Roles.Operator, "2403");

        var byManager = await manager.PostAsJsonAsync("/api/notices", WaterOutage("2401"));
        var byOperator = await op.PostAsJsonAsync("/api/notices", WaterOutage("2401"));

        Assert.Equal(HttpStatusCode.Created, byManager.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        var notice = (await byManager.Content.ReadFromJsonAsync<NoticeView>())!;
        await manager.DeleteAsync($"/api/notices/{notice.Id}");
    }

    [Fact]
    public async Task NoticeIsAttachedToCallsAboutItsTopicInItsMunicipality()
    {
        await using var world = new RoutingDriver(app);
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2460");
        var notice = (await (await editor.PostAsJsonAsync("/api/notices", WaterOutage())).Content.ReadFromJsonAsync<NoticeView>())!;
        var op = await world.OperatorAsync();

        var water = await world.CallAsync(RoutingDriver.Vannas, "vatten och avlopp");
        var offer = await op.NextOfferAsync();
        await op.AcceptAsync(water.CallId);
        await op.AnswerAsync(water.CallId);
        await world.CallAsync(RoutingDriver.Vannas, "skola");
        var other = await op.NextOfferAsync();

        Assert.Contains(offer.Call.Notices, n => n.Id == notice.Id);
        Assert.DoesNotContain(other.Call.Notices, n => n.Id == notice.Id);
        await editor.DeleteAsync($"/api/notices/{notice.Id}");
    }

    [Fact]
    public async Task ExpiredNoticeIsTakenDown()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2460");
        var notice = (await (await editor.PostAsJsonAsync("/api/notices", WaterOutage(minutes: 1))).Content.ReadFromJsonAsync<NoticeView>())!;
        await op.Next(op.Notices);

        // Kept short: tokens are issued on the fake clock and checked against the real one.
        app.Clock!.Advance(TimeSpan.FromSeconds(61));

        var pushed = await op.Next(op.Notices);
        Assert.DoesNotContain(pushed, n => n.Id == notice.Id);
        var current = await editor.GetFromJsonAsync<List<NoticeView>>("/api/notices");
        Assert.DoesNotContain(current!, n => n.Id == notice.Id);
    }

    [Fact]
    public async Task NoticeWithoutTextOrWithAPastExpiryIsRefusedNamingTheFields()
    {
        var editor = await RoutingDriver.ClientAsync(app, Roles.Editor, "2460");

        var response = await editor.PostAsJsonAsync("/api/notices",
            new NewNotice("2460", null, "", app.Clock!.GetUtcNow().AddMinutes(-1)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("text", body);
        Assert.Contains("expiresAt", body);
    }
}
