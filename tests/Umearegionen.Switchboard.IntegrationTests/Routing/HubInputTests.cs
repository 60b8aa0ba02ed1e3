using Serilog.Core;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>Null or NUL-bearing hub arguments are an "invalid: …" refusal naming the field (issue 24), not a server error.</summary>
public sealed class HubInputTests(HubInputTests.App app) : IClassFixture<HubInputTests.App>
{
    public sealed class App : RoutingApp
    {
        public CapturingSink Log { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
        };

        protected override ILogEventSink LogSink => Log;
    }

    [Fact]
    public async Task RefusalsAreLoggedAsInformationWithoutAStackTrace()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        await Assert.ThrowsAsync<HubException>(() => op.SetStatusAsync("asleep"));
        var response = await app.CreateClient().PostAsync("/api/auth/login", new StringContent("{ \"username\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await world.EventuallyAsync(() => Task.FromResult(app.Log.Events.Any(e => e.Contains("responded 400", StringComparison.Ordinal))));
        Assert.Contains(app.Log.Events, e => e.StartsWith("Hub method \"SetStatus\" refused: \"invalid\"", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Log.Events, e => e.Contains("Exception:", StringComparison.Ordinal) || e.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SetStatusWithoutARequestIsRefusedAsInvalidAndChangesNothing()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<OperatorState>("SetStatus", (object?)null));

        Assert.Contains($"{HubErrors.Invalid}: request is required; send an object {{ status, reason }}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(OperatorStatuses.Available, await StatusAsync(world, op));
    }

    [Fact]
    public async Task APauseReasonWithANulIsRefusedNamingTheReasonAndTheConnectionGoesOn()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => op.SetStatusAsync(OperatorStatuses.Paused, "lun\0ch"));

        Assert.Contains($"{HubErrors.Invalid}: reason must not contain the NUL character", refused.Message, StringComparison.Ordinal);
        Assert.Equal(OperatorStatuses.Available, await StatusAsync(world, op));
        var paused = await op.SetStatusAsync(OperatorStatuses.Paused, "lunch");
        Assert.Equal(OperatorStatuses.Paused, paused.Status);
    }

    [Fact]
    public async Task ANulInsideANestedDestinationIsRefusedNamingItsPath()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("StartConsultation",
            new ConsultRequest(Guid.NewGuid(), new Destination("number", null, "+4690161000", "Växel\0n"))));

        Assert.Contains($"{HubErrors.Invalid}: destination.name must not contain the NUL character", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsultationWithoutItsDestinationIsRefusedNamingIt()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => op.Connection.InvokeAsync<CallView>("StartConsultation",
            new ConsultRequest(Guid.NewGuid(), null!)));

        Assert.Contains($"{HubErrors.Invalid}: destination is required; send an object {{ kind, id, number, name }}", refused.Message, StringComparison.Ordinal);
    }

    private static Task<string> StatusAsync(RoutingDriver world, OperatorClient op) =>
        world.ScalarAsync<string>("select status from operators where account_id = @id", new { id = op.Id });
}
