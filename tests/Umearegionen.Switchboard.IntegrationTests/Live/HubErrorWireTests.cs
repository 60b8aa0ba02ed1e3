using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Umearegionen.Switchboard.Access;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.IntegrationTests.Infrastructure;
using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.IntegrationTests.Live;

/// <summary>The service on Kestrel (a real port), which Node can reach; WebApplicationFactory's test server is in memory.</summary>
public sealed class ListeningApp : SwitchboardApp
{
    public ListeningApp() => UseKestrel(0);

    public string BaseAddress { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        BaseAddress = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
    }
}

/// <summary>
/// Hub errors as the npm client (@microsoft/signalr, which the dashboard uses) receives them: every refusal reads
/// "An unexpected error occurred invoking '&lt;Method&gt;' on the server. HubException: &lt;code&gt;: &lt;text&gt;"
/// (docs/hub.md, "Errors").
/// </summary>
public sealed class HubErrorWireTests(ListeningApp app) : IClassFixture<ListeningApp>
{
    private sealed record Invocation(string Name, string Token, string Method, object?[] Args);

    private sealed record Outcome(string Name, bool Ok, bool IsError, string? Message, string? DashboardCode);

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

    private async Task<Dictionary<string, Outcome>> InvokeWithNodeAsync(params Invocation[] invocations)
    {
        var root = TestPostgres.RepositoryRoot();
        var dashboard = Path.Combine(root, "src", "Umearegionen.Switchboard");
        var start = new ProcessStartInfo("node", [Path.Combine(root, "tests", "Umearegionen.Switchboard.IntegrationTests", "Live", "hub-invocations.mjs")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
            Environment =
            {
                ["SWITCHBOARD_URL"] = app.BaseAddress,
                ["SWITCHBOARD_CLIENTAPP"] = Path.Combine(dashboard, "ClientApp"),
                ["SWITCHBOARD_WWWROOT"] = Path.Combine(dashboard, "wwwroot"),
                ["HUB_INVOCATIONS"] = JsonSerializer.Serialize(invocations, JsonSerializerOptions.Web),
            },
        };
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node failed:\n{await output}\n{await errors}");
        var outcomes = JsonSerializer.Deserialize<List<Outcome>>(await output, JsonSerializerOptions.Web)!;
        return outcomes.ToDictionary(o => o.Name);
    }
}
