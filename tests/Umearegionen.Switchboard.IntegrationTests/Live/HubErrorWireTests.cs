using System.Reflection;
using Umearegionen.Switchboard.Live;

using Invocation = Umearegionen.Switchboard.IntegrationTests.Live.NpmHubClient.Invocation;

namespace Umearegionen.Switchboard.IntegrationTests.Live;

/// <summary>The service on Kestrel (a real port), which Node can reach; WebApplicationFactory's test server is in memory.</summary>
public sealed class ListeningApp : SwitchboardApp
{
    public ListeningApp() => UseKestrel(0);

    public string BaseAddress { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        BaseAddress = KestrelAddress;
    }
}

/// <summary>
/// Hub errors as the npm client (@microsoft/signalr, which the dashboard uses) receives them: every refusal reads
/// "An unexpected error occurred invoking '&lt;Method&gt;' on the server. HubException: &lt;code&gt;: &lt;text&gt;"
/// (docs/hub.md, "Errors").
/// </summary>
public sealed class HubErrorWireTests(ListeningApp app) : IClassFixture<ListeningApp>
{
    [Fact]
    public async Task EveryRefusalReachesTheNpmClientWithItsCodeAfterSignalRsPrefix()
    {
        var first = await app.TokenForAsync(Roles.Operator, "2403");
        var second = await app.TokenForAsync(Roles.Operator, "2403");
        var manager = await app.TokenForAsync(Roles.Manager, "2480");
        var callId = await PlaceCallAsync();

        var outcomes = await InvokeWithNodeAsync(
            new("picks the call", first, "AcceptCall", [callId]),
            new("call-taken", second, "AcceptCall", [callId]),
            new("not-found", second, "AcceptCall", [Guid.NewGuid()]),
            new("invalid", second, "SetStatus", [new { status = "asleep" }]),
            new("forbidden for a manager", manager, "AcceptCall", [callId]),
            new("forbidden for an operator", second, "GetManagerView", []),
            new("allowed for a manager", manager, "GetManagerView", []));

        Assert.True(outcomes["picks the call"].Ok, outcomes["picks the call"].Message);
        Assert.True(outcomes["allowed for a manager"].Ok, outcomes["allowed for a manager"].Message);
        foreach (var (name, method, code) in new[]
                 {
                     ("call-taken", "AcceptCall", HubErrors.CallTaken),
                     ("not-found", "AcceptCall", HubErrors.NotFound),
                     ("invalid", "SetStatus", HubErrors.Invalid),
                     ("forbidden for a manager", "AcceptCall", HubErrors.Forbidden),
                     ("forbidden for an operator", "GetManagerView", HubErrors.Forbidden),
                 })
        {
            var outcome = outcomes[name];
            Assert.False(outcome.Ok, name);
            Assert.True(outcome.IsError, name);
            Assert.StartsWith($"An unexpected error occurred invoking '{method}' on the server. HubException: {code}: ", outcome.Message);
            Assert.Equal(code, HubErrors.Read(outcome.Message)?.Code);
            Assert.Equal(code, outcome.DashboardCode);
        }

        Assert.Equal("An unexpected error occurred invoking 'AcceptCall' on the server. HubException: forbidden: AcceptCall is for operators; your role (manager) may not call it.",
            outcomes["forbidden for a manager"].Message);
    }

    [Fact]
    public async Task ArgumentsSignalRCannotReadAreRefusedAsInvalidNamingWhatTheMethodTakes()
    {
        var token = await app.TokenForAsync(Roles.Operator, "2403");

        var outcomes = await InvokeWithNodeAsync(
            new("text for callId", token, "AcceptCall", ["not-a-guid"]),
            new("number for callId", token, "AcceptCall", [42]),
            new("text for a request", token, "SetStatus", ["available"]),
            new("number for a field", token, "SetStatus", [new { status = 42 }]),
            new("too many arguments", token, "GetQueue", [1]),
            new("too few arguments", token, "DeclineOffer", []),
            new("no such method", token, "NoSuchMethod", []));

        foreach (var (name, outcome) in outcomes)
        {
            Assert.False(outcome.Ok, name);
            Assert.True(outcome.IsError, name);
            Assert.Equal(HubErrors.Invalid, HubErrors.Read(outcome.Message)?.Code);
            Assert.Equal(HubErrors.Invalid, outcome.DashboardCode);
            Assert.Contains("docs/hub.md", outcome.Message, StringComparison.Ordinal);
        }

        Assert.Equal("Failed to invoke 'AcceptCall' due to an error on the server. HubException: invalid: callId could not be read " +
                     "(wrong JSON type or value); AcceptCall takes callId (an id such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301) (docs/hub.md).",
            outcomes["number for callId"].Message);
        Assert.StartsWith("Failed to invoke 'SetStatus' due to an error on the server. HubException: invalid: status could not be read",
            outcomes["number for a field"].Message);
        Assert.Contains("SetStatus takes request (an object { status, reason })", outcomes["text for a request"].Message, StringComparison.Ordinal);
        Assert.Contains("invalid: 1 argument(s) were sent; GetQueue takes no arguments", outcomes["too many arguments"].Message, StringComparison.Ordinal);
        Assert.Contains("invalid: 'NoSuchMethod' is not a method of the hub", outcomes["no such method"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageOverSignalRsSizeLimitClosesTheConnectionAndTheNextOneWorks()
    {
        var token = await app.TokenForAsync(Roles.Operator, "2403");

        var outcomes = await InvokeWithNodeAsync(
            new("40 KB", token, "SetStatus", [new { status = "paused", reason = new string('x', 40_000) }]),
            new("after", token, "GetQueue", []));

        // SignalR's MaximumReceiveMessageSize (32 KB): not an invocation but a broken connection (docs/hub.md, "Errors").
        Assert.False(outcomes["40 KB"].Ok);
        Assert.Null(HubErrors.Read(outcomes["40 KB"].Message));
        Assert.True(outcomes["after"].Ok, outcomes["after"].Message);
    }

    [Fact]
    public void EveryHubMethodNamesWhoMayCallIt()
    {
        var methods = typeof(SwitchboardHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.DeclaringType == typeof(SwitchboardHub)
                        && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync)));

        Assert.All(methods, m => Assert.NotNull(m.GetCustomAttribute<HubPolicyAttribute>()));
        // [Authorize] on a method would be refused by SignalR before HubRefusals, without a code.
        Assert.All(methods, m => Assert.Null(m.GetCustomAttribute<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>()));
    }

    [Theory]
    [InlineData("An unexpected error occurred invoking 'AcceptCall' on the server. HubException: call-taken: another operator has taken the call.", "call-taken", "another operator has taken the call.")]
    [InlineData("HubException: invalid: windowEnd: must be after windowStart.", "invalid", "windowEnd: must be after windowStart.")]
    [InlineData("An unexpected error occurred invoking 'AcceptCall' on the server.", null, null)]
    [InlineData("Failed to invoke 'AcceptCall' because user is unauthorized", null, null)]
    public void HubErrorsAreReadIntoCodeAndText(string message, string? code, string? text)
    {
        var read = HubErrors.Read(message);

        Assert.Equal(code, read?.Code);
        Assert.Equal(text, read?.Text);
    }

    private async Task<Guid> PlaceCallAsync()
    {
        var telephony = await app.TelephonyClientAsync();
        var response = await telephony.PostAsJsonAsync("/api/telephony/calls",
            new NewCallReport("wire-" + Guid.NewGuid().ToString("N"), "070-123 45 67", "+4690161000"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CallReceipt>())!.CallId;
    }

    private async Task<Dictionary<string, NpmHubClient.Outcome>> InvokeWithNodeAsync(params Invocation[] invocations) =>
        (await NpmHubClient.InvokeAsync(app.BaseAddress, invocations)).ToDictionary(o => o.Name);
}
