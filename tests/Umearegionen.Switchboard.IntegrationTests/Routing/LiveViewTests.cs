using System.Net.Sockets;
using System.Threading.Channels;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>The real clock, a short snapshot interval and a real SMTP listener on loopback.</summary>
public sealed class LiveApp : SwitchboardApp
{
    public SmtpSink Smtp { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Routing:SnapshotInterval"] = "00:00:00.200",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:RetryInterval"] = "00:00:01",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
    }
}

public sealed class LiveViewTests(LiveApp app) : IClassFixture<LiveApp>
{
    [Fact]
    public async Task ManagersSeeQueueChangesWithinASecondAsOneCoalescedSnapshot()
    {
        await using var world = new RoutingDriver(app);
        await using var manager = app.HubConnection(await app.TokenForAsync(Roles.Manager));
        var views = Channel.CreateUnbounded<ManagerView>();
        manager.On<ManagerView>(nameof(ISwitchboardClient.ManagerViewChanged), v => views.Writer.TryWrite(v));
        await manager.StartAsync();
        var before = await manager.InvokeAsync<ManagerView>("GetManagerView");

        for (var i = 0; i < 20; i++)
        {
            await world.CallAsync(RoutingDriver.Umea);
        }

        var received = new List<ManagerView>();
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        while (received.LastOrDefault()?.QueueLength != before.QueueLength + 20)
        {
            received.Add(await views.Reader.ReadAsync(timeout.Token));
        }

        // Twenty calls, far fewer snapshots.
        Assert.True(received.Count < 20, $"{received.Count} snapshots for 20 calls");
        var last = received[^1];
        Assert.Contains(last.CallsPerMunicipalityToday, m => m.MunicipalityCode == "2480" && m.Calls >= 20);
        Assert.True(last.LongestWaitSeconds >= 0);
    }

    [Fact]
    public async Task ManagerViewCountsOperatorsByStatusAndTheServiceLevel()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        await world.OperatorAsync(status: OperatorStatuses.Paused);
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        await op.AnswerAsync(call.CallId);
        await using var manager = app.HubConnection(await app.TokenForAsync(Roles.Manager));
        await manager.StartAsync();

        var view = await manager.InvokeAsync<ManagerView>("GetManagerView");

        Assert.True(view.OperatorsByStatus.GetValueOrDefault(OperatorStatuses.Paused) >= 1);
        var operators = await manager.InvokeAsync<IReadOnlyList<OperatorSummary>>("GetOperators");
        Assert.Contains(operators, o => o.AccountId == op.Id && o.Status == OperatorStatuses.Available && o.CallId is null);
        Assert.True(view.AnsweredToday >= 1);
        Assert.NotNull(view.ServiceLevelToday);
    }

    /// <summary>
    /// No dashboard on the node: changes are not read into snapshots (docs/decisions/0024). The first
    /// manager to connect gets a snapshot with what changed meanwhile, without a further change.
    /// </summary>
    [Fact]
    public async Task NoSnapshotIsReadWhileNoDashboardIsConnectedAndTheFirstToConnectGetsAFreshOne()
    {
        await using var world = new RoutingDriver(app);
        var snapshots = app.Service<Umearegionen.Switchboard.Routing.LiveSnapshots>();
        await NoConnectionsAsync();

        var interval = TimeSpan.FromMilliseconds(200);
        await Task.Delay(interval * 2);
        var before = snapshots.Computed;
        var call = await world.CallAsync(RoutingDriver.Umea);
        await Task.Delay(interval * 5);
        Assert.Equal(before, snapshots.Computed);

        await using var manager = app.HubConnection(await app.TokenForAsync(Roles.Manager));
        var queues = Channel.CreateUnbounded<QueueSnapshot>();
        var views = Channel.CreateUnbounded<ManagerView>();
        manager.On<QueueSnapshot>(nameof(ISwitchboardClient.QueueChanged), q => queues.Writer.TryWrite(q));
        manager.On<ManagerView>(nameof(ISwitchboardClient.ManagerViewChanged), v => views.Writer.TryWrite(v));
        await manager.StartAsync();

        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        var queue = await queues.Reader.ReadAsync(timeout.Token);
        var view = await views.Reader.ReadAsync(timeout.Token);
        Assert.Contains(queue.Calls, c => c.Id == call.CallId);
        Assert.Equal(queue.Length, view.QueueLength);
        Assert.Equal((await manager.InvokeAsync<ManagerView>("GetManagerView")).QueueLength, view.QueueLength);
        Assert.True(snapshots.Computed > before);
    }

    /// <summary>Operators but no manager on the node: the queue is read and sent, the manager's figures are not read.</summary>
    [Fact]
    public async Task WithOnlyOperatorsConnectedTheQueueIsSentAndTheManagersFiguresAreNotRead()
    {
        await using var world = new RoutingDriver(app);
        var snapshots = app.Service<Umearegionen.Switchboard.Routing.LiveSnapshots>();
        await NoConnectionsAsync();
        var op = await world.OperatorAsync(status: OperatorStatuses.Paused);
        var queues = Channel.CreateUnbounded<QueueSnapshot>();
        op.Connection.On<QueueSnapshot>(nameof(ISwitchboardClient.QueueChanged), q => queues.Writer.TryWrite(q));
        var (before, managerViews) = (snapshots.Computed, snapshots.ManagerViews);

        var call = await world.CallAsync(RoutingDriver.Umea);

        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        while (!(await queues.Reader.ReadAsync(timeout.Token)).Calls.Any(c => c.Id == call.CallId))
        {
        }

        Assert.True(snapshots.Computed > before);
        Assert.Equal(managerViews, snapshots.ManagerViews);
    }

    /// <summary>Earlier tests' dashboards leave as their connections close on the server.</summary>
    private async Task NoConnectionsAsync()
    {
        var connections = app.Service<Umearegionen.Switchboard.Platform.Cluster.LocalHubConnections>();
        using var gone = new CancellationTokenSource(RoutingDriver.Patience);
        while (connections.Open().Count > 0)
        {
            await Task.Delay(50, gone.Token);
        }
    }

    [Fact]
    public async Task OperatorCannotReadTheManagerView()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync(status: null);

        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => op.Connection.InvokeAsync<ManagerView>("GetManagerView"));
    }

    [Fact]
    public async Task MessageTakenIsSentByEmailThroughTheConfiguredSmtpServer()
    {
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        var recipient = $"unit-{Guid.NewGuid():N}@example.org";

        await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "unit", null, "Kundtjänst Umeå", recipient, "Ring tillbaka om fakturan.", "message", "Stina"));

        var mail = await app.Smtp.NextAsync(recipient);
        Assert.Contains("Ring tillbaka om fakturan.", mail);
        await world.EventuallyAsync(async () => await world.ScalarAsync<bool>(
            "select sent_at is not null from messages where call_id = @id", new { id = call.CallId }));
    }

    [Fact]
    public async Task AMessageThatCannotBeAnEmailIsGivenUpAndTheNextAreStillSent()
    {
        // Rows written past the input checks (an older version, psql): a header in the caller's name and
        // a recipient that is no address, both due before the message taken afterwards.
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var (injected, unaddressed) = ($"unit-{Guid.NewGuid():N}@example.org", Guid.NewGuid());
        foreach (var (email, callerName) in new[] { (injected, "Eve\r\nBcc: spy@example.org"), ($"x{unaddressed:N}@example.org\r\nBcc: spy@example.org", "Eve") })
        {
            var earlier = await world.CallAsync();
            await op.NextOfferAsync();
            await op.AcceptAsync(earlier.CallId);
            await op.AnswerAsync(earlier.CallId);
            await world.ScalarAsync<int>("""
                insert into messages (id, call_id, recipient_kind, recipient_name, recipient_email, caller_name, caller_number,
                                      text, taken_by, taken_at, next_attempt_at)
                select @id, c.id, 'unit', 'Kundtjänst', @email, @callerName, '+46701234567', 'Ring tillbaka.', c.operator_id, now(), now() - interval '1 minute'
                from calls c where c.id = @callId
                returning 1
                """, new { id = email == injected ? Guid.NewGuid() : unaddressed, callId = earlier.CallId, email, callerName });
        }

        var call = await world.CallAsync();
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        var recipient = $"unit-{Guid.NewGuid():N}@example.org";
        await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.CallId, "unit", null, "Kundtjänst Umeå", recipient, "Ring tillbaka om fakturan.", "message", "Stina"));

        Assert.Contains("Ring tillbaka om fakturan.", await app.Smtp.NextAsync(recipient));
        var flattened = await app.Smtp.NextAsync(injected);
        Assert.DoesNotContain("\r\nBcc:", flattened, StringComparison.OrdinalIgnoreCase);
        await world.EventuallyAsync(async () => await world.ScalarAsync<bool>(
            "select sent_at is null and last_error is not null and attempts >= 10 from messages where id = @id", new { id = unaddressed }));
    }
}

/// <summary>A minimal SMTP server on loopback that keeps what it receives (a real socket, no mock).</summary>
public sealed class SmtpSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<(string Recipient, string Data)> _mails = Channel.CreateUnbounded<(string, string)>();
    private readonly List<(string Recipient, string Data)> _seen = [];
    private readonly CancellationTokenSource _stop = new();

    public SmtpSink()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async Task<string> NextAsync(string recipient)
    {
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        while (true)
        {
            var match = _seen.FirstOrDefault(m => m.Recipient.Contains(recipient, StringComparison.OrdinalIgnoreCase));
            if (match.Data is not null)
            {
                return match.Data;
            }

            _seen.Add(await _mails.Reader.ReadAsync(timeout.Token));
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test SMTP");
        var recipient = "";
        while (await reader.ReadLineAsync() is { } line)
        {
            var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
            switch (command)
            {
                case "EHLO":
                case "HELO":
                    await writer.WriteLineAsync("250 localhost");
                    break;
                case "RCPT":
                    recipient = line;
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                    {
                        data.Append(dataLine).Append("\r\n");
                    }

                    _mails.Writer.TryWrite((recipient, Decode(data.ToString())));
                    await writer.WriteLineAsync("250 OK queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    // The body may come quoted-printable or base64; the test looks for plain text.
    private static string Decode(string data)
    {
        var parts = data.Split("\r\n\r\n", 2);
        if (parts.Length == 2 && data.Contains("base64", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return data + Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(parts[1].Split("\r\n", StringSplitOptions.RemoveEmptyEntries))));
            }
            catch (FormatException)
            {
                return data;
            }
        }

        return data;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
