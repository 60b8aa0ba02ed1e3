using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>The service with a fake clock: offers time out and cover thresholds pass when a test says so.</summary>
public class RoutingApp : SwitchboardApp
{
    public RoutingApp() { }

    protected RoutingApp(string existingDatabase) : base(existingDatabase) { }

    protected override bool UseFakeTime => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Routing:OfferTimeout"] = "00:00:15",
        ["Routing:CoverThreshold"] = "00:01:00",
        ["Routing:ReconnectGrace"] = "00:00:30",
        ["Routing:SweepInterval"] = "00:00:01",
        ["Telephony:RedeliverAfter"] = "00:00:10",
    };
}

/// <summary>
/// One test's world: its operators (real SignalR clients), its platform (the simulator) and its
/// calls. Disposing hangs up the test's calls and disconnects its operators, so the next test in
/// the same database starts with an empty queue and no one available.
/// </summary>
public sealed class RoutingDriver(SwitchboardApp app) : IAsyncDisposable
{
    public const string Bjurholm = "+4693214000";
    public const string Umea = "+4690161000";
    public const string Vannas = "+4693514000";

    private readonly List<OperatorClient> _operators = [];
    private readonly List<string> _calls = [];
    private SimulatedPlatform? _platform;

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A token issued by the service on its own (possibly fake) clock, which is also the clock that checks it.</summary>
    public static string ServiceToken(SwitchboardApp app, Account account) =>
        app.Service<TokenIssuer>().Issue(account).AccessToken;

    /// <summary>An HTTP client signed in as a new account with this role .</summary>
    public static async Task<HttpClient> ClientAsync(SwitchboardApp app, string role, string? municipality = null)
    {
        var (account, _) = await app.CreateAccountAsync(role, municipality);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServiceToken(app, account));
        return client;
    }

    public async Task<SimulatedPlatform> PlatformAsync() =>
        _platform ??= new SimulatedPlatform(await app.TelephonyClientAsync());

    public async Task<OperatorClient> OperatorAsync(string municipality = "2403", string? status = OperatorStatuses.Available)
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, municipality);
        var token = ServiceToken(app, account);
        var client = new OperatorClient(app, account.Id, token);
        _operators.Add(client);
        await client.ConnectAsync();
        if (status is not null)
        {
            await client.SetStatusAsync(status, status == OperatorStatuses.Paused ? "test" : null);
        }

        return client;
    }

    public async Task<CallReceipt> CallAsync(string dialled = Bjurholm, string? topic = null, int priority = 0, string? caller = null)
    {
        var platform = await PlatformAsync();
        var receipt = await platform.PlaceCallAsync(
            new NewCallReport("t-" + Guid.NewGuid().ToString("N"), caller ?? SimulatedPlatform.RandomCaller(), dialled, topic, priority));
        lock (_calls)
        {
            _calls.Add(receipt.PlatformCallId);
        }

        return receipt;
    }

    /// <summary>An available operator (of 2403) is offered a call to Bjurholm and accepts it.</summary>
    public async Task<(OperatorClient Op, CallReceipt Call)> ConnectedCallAsync()
    {
        var op = await OperatorAsync();
        var call = await CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        return (op, call);
    }

    public async Task<CallRecord> CallRecordAsync(Guid callId)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return await conn.QuerySingleAsync<CallRecord>(
            "select id, state, offered_to, operator_id, outcome, wrap_up_category from calls where id = @callId", new { callId });
    }

    /// <summary>
    /// The operator has had exactly <paramref name="offers"/> offers and no other is coming, checked without
    /// waiting for time to pass: a dispatch round is run to its end first (the service's own read and offer,
    /// <see cref="Umearegionen.Switchboard.Routing.Dispatcher.RoundOnceAsync"/>), so any offer the service
    /// would make now is made; then the database holds that many offers to them (an offer is stored before
    /// it is pushed), and no push beyond those the test took has reached their client.
    /// </summary>
    public async Task AssertOfferCountAsync(OperatorClient op, int offers = 0)
    {
        await app.Service<Umearegionen.Switchboard.Routing.Dispatcher>().RoundOnceAsync(CancellationToken.None);
        Assert.Equal(offers, await ScalarAsync<long>($"select count(*) from {OfferRows.Table} offers where operator_id = @id", new { id = op.Id }));
        Assert.False(op.Offers.Reader.TryPeek(out _), "an offer reached the operator's client beyond those the database holds");
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("No value: " + sql);
    }

    public async Task<IReadOnlyList<TelephonyInstruction>> InstructionsForAsync(string platformCallId)
    {
        var platform = await PlatformAsync();
        var batch = await platform.PollAsync(0);
        return batch.Instructions.Where(i => i.PlatformCallId == platformCallId).ToList();
    }

    /// <summary>Leaves the calls as they are on dispose (a restart test wants them waiting).</summary>
    public void KeepCalls() => _calls.Clear();

    /// <summary>Waits until the condition holds; fails after <see cref="Patience"/>.</summary>
    public async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not hold in time.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_platform is not null)
        {
            foreach (var call in _calls)
            {
                await _platform.ReportAsync(call, PlatformEventTypes.Ended, "test-cleanup");
            }
        }

        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }
    }
}

public sealed record CallRecord(Guid Id, string State, Guid? OfferedTo, Guid? OperatorId, string? Outcome, string? WrapUpCategory);

/// <summary>An operator's screen: a real hub connection recording what the service pushes.</summary>
public sealed class OperatorClient : IAsyncDisposable
{
    private readonly SwitchboardApp _app;
    private readonly string _token;

    public OperatorClient(SwitchboardApp app, Guid id, string token)
    {
        _app = app;
        _token = token;
        Id = id;
        Connection = Build();
    }

    public Guid Id { get; }

    public string Token => _token;

    public HubConnection Connection { get; private set; }

    public Channel<CallOffer> Offers { get; } = Channel.CreateUnbounded<CallOffer>();

    public Channel<OfferWithdrawn> Withdrawn { get; } = Channel.CreateUnbounded<OfferWithdrawn>();

    public Channel<OperatorState> States { get; } = Channel.CreateUnbounded<OperatorState>();

    public Channel<CallView> CallUpdates { get; } = Channel.CreateUnbounded<CallView>();

    public Channel<IReadOnlyList<NoticeView>> Notices { get; } = Channel.CreateUnbounded<IReadOnlyList<NoticeView>>();

    private HubConnection Build()
    {
        var connection = _app.HubConnection(_token);
        connection.On<CallOffer>(nameof(ISwitchboardClient.OfferReceived), o => Offers.Writer.TryWrite(o));
        connection.On<OfferWithdrawn>(nameof(ISwitchboardClient.OfferWithdrawn), w => Withdrawn.Writer.TryWrite(w));
        connection.On<OperatorState>(nameof(ISwitchboardClient.OperatorStateChanged), s => States.Writer.TryWrite(s));
        connection.On<CallView>(nameof(ISwitchboardClient.CallUpdated), c => CallUpdates.Writer.TryWrite(c));
        connection.On<IReadOnlyList<NoticeView>>(nameof(ISwitchboardClient.NoticesChanged), n => Notices.Writer.TryWrite(n));
        return connection;
    }

    public Task ConnectAsync() => Connection.StartAsync();

    /// <summary>Drops the connection (as a network failure would, from the service's side) and connects anew.</summary>
    public async Task DropAsync() => await Connection.DisposeAsync();

    public async Task ReconnectAsync()
    {
        Connection = Build();
        await Connection.StartAsync();
        // An invocation is handled only after the service has finished registering the connection.
        await ResyncAsync();
    }

    public Task<OperatorState> SetStatusAsync(string status, string? reason = null) =>
        Connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(status, reason));

    public Task<CallView> AcceptAsync(Guid callId) => Connection.InvokeAsync<CallView>("AcceptCall", callId);

    public Task<OperatorSync> ResyncAsync() => Connection.InvokeAsync<OperatorSync>("Resync");

    public Task<CallView> AnswerAsync(Guid callId, string category = "information") =>
        Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(callId, category));

    public async Task<CallOffer> NextOfferAsync() => await Next(Offers);

    public async Task<T> Next<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        return await channel.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
