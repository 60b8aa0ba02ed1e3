using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Umearegionen.Switchboard.Live;
using Xunit.Sdk;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// An operator's screen connected to one node of a <see cref="ServiceCluster"/>: a real SignalR .NET
/// client over WebSockets, signed in with the token the node's login gave. It records what the
/// service pushes; it can move to another node (as a load balancer would send a reconnect anywhere).
/// </summary>
public sealed class NodeOperator : IAsyncDisposable
{
    private readonly bool _autoReconnect;

    public NodeOperator(Guid id, string username, string token, bool autoReconnect)
    {
        Id = id;
        Username = username;
        Token = token;
        _autoReconnect = autoReconnect;
    }

    public Guid Id { get; }

    public string Username { get; }

    public string Token { get; }

    /// <summary>The node the current connection goes to.</summary>
    public ServiceNode? Node { get; private set; }

    public HubConnection? Connection { get; private set; }

    public Channel<CallOffer> Offers { get; } = Channel.CreateUnbounded<CallOffer>();

    public Channel<OfferWithdrawn> Withdrawn { get; } = Channel.CreateUnbounded<OfferWithdrawn>();

    public Channel<OperatorState> States { get; } = Channel.CreateUnbounded<OperatorState>();

    /// <summary>"reconnecting", "reconnected" and "closed", as the client saw them.</summary>
    public Channel<string> Lifecycle { get; } = Channel.CreateUnbounded<string>();

    private HubConnection Build(ServiceNode node)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseAddress, SwitchboardHub.Path.TrimStart('/')), HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(Token);
            });
        if (_autoReconnect)
        {
            builder.WithAutomaticReconnect(new EveryHalfSecond());
        }

        var connection = builder.Build();
        connection.On<CallOffer>(nameof(ISwitchboardClient.OfferReceived), o => Offers.Writer.TryWrite(o));
        connection.On<OfferWithdrawn>(nameof(ISwitchboardClient.OfferWithdrawn), w => Withdrawn.Writer.TryWrite(w));
        connection.On<OperatorState>(nameof(ISwitchboardClient.OperatorStateChanged), s => States.Writer.TryWrite(s));
        connection.Reconnecting += _ => Note("reconnecting");
        connection.Reconnected += _ => Note("reconnected");
        connection.Closed += _ => Note("closed");
        return connection;
    }

    private Task Note(string what)
    {
        Lifecycle.Writer.TryWrite(what);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Connects to <paramref name="node"/>, dropping any connection to another node first, and returns once
    /// the node has registered the connection (the client's start ends with the handshake, before the
    /// hub's OnConnectedAsync; an invocation, here Resync as a screen does, is handled only after it).
    /// </summary>
    public async Task ConnectAsync(ServiceNode node)
    {
        if (Connection is { } old)
        {
            await old.DisposeAsync();
        }

        Node = node;
        Connection = Build(node);
        await Connection.StartAsync();
        await ResyncAsync();
    }

    private HubConnection Hub => Connection ?? throw new InvalidOperationException($"{Username} is not connected.");

    public Task<OperatorState> SetStatusAsync(string status, string? reason = null) =>
        Hub.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(status, reason));

    public Task<CallView> AcceptAsync(Guid callId) => Hub.InvokeAsync<CallView>("AcceptCall", callId);

    public Task<CallView> AnswerAsync(Guid callId, string category = "information") =>
        Hub.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(callId, category));

    public Task<OperatorSync> ResyncAsync() => Hub.InvokeAsync<OperatorSync>("Resync");

    /// <summary>The next offer pushed to this screen; fails when none comes within <paramref name="within"/>.</summary>
    public async Task<CallOffer> NextOfferAsync(TimeSpan within) =>
        await NextAsync(Offers, within, "an offer");

    public async Task<T> NextAsync<T>(Channel<T> channel, TimeSpan within, string what)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await channel.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"{what} did not reach operator {Username} on {Node?.Name} within {within.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Waits for the client to see <paramref name="what"/> ("reconnected", "closed", ...), skipping other lifecycle events.</summary>
    public async Task WaitForAsync(string what, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await Lifecycle.Reader.ReadAsync(timeout.Token) != what)
            {
            }
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"Operator {Username}'s client on {Node?.Name} did not see \"{what}\" within {within.TotalSeconds:0.#} s " +
                                     $"(connection {Connection?.State}).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection is { } connection)
        {
            Connection = null;
            await connection.DisposeAsync();
        }
    }

    /// <summary>Reconnects every half second, for as long as the test lasts.</summary>
    private sealed class EveryHalfSecond : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.ElapsedTime < TimeSpan.FromMinutes(2) ? TimeSpan.FromMilliseconds(500) : null;
    }
}
