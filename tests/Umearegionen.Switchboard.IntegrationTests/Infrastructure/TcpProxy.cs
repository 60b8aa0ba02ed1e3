using System.Net.Sockets;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder between the service and a server it uses (PostgreSQL, Redis), so a test
/// can take the server away (and give it back) without stopping it for other tests, or make it hang.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();
    private TaskCompletionSource? _frozen;

    public TcpProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Start();
    }

    public int Port { get; }

    /// <summary>Refuse new connections and cut the open ones: to the service the database is down.</summary>
    public void Cut()
    {
        _cts.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>
    /// Stop passing bytes on, in both directions, while every connection stays open: to the service the
    /// server hangs (no error, no answer) until <see cref="Thaw"/>.
    /// </summary>
    public void Freeze() => Interlocked.CompareExchange(ref _frozen, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Pass on again, what was held back first.</summary>
    public void Thaw() => Interlocked.Exchange(ref _frozen, null)?.TrySetResult();

    public void Restore()
    {
        _cts = new CancellationTokenSource();
        Start();
    }

    private void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        var listener = _listener;
        var ct = _cts.Token;
        _ = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                TcpClient inbound;
                try { inbound = await listener.AcceptTcpClientAsync(ct); }
                catch { return; }

                var outbound = new TcpClient();
                try { await outbound.ConnectAsync(_target, ct); }
                catch { inbound.Dispose(); outbound.Dispose(); continue; }

                lock (_open) { _open.Add(inbound); _open.Add(outbound); }
                _ = Pump(inbound, outbound, ct);
                _ = Pump(outbound, inbound, ct);
            }
        }, ct);
    }

    private async Task Pump(TcpClient from, TcpClient to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            int read;
            while ((read = await input.ReadAsync(buffer, ct)) > 0)
            {
                if (Volatile.Read(ref _frozen) is { } frozen)
                {
                    await frozen.Task.WaitAsync(ct);
                }

                await output.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch { /* a cut connection ends here */ }
        finally { from.Dispose(); to.Dispose(); }
    }

    public ValueTask DisposeAsync()
    {
        Thaw();
        Cut();
        return ValueTask.CompletedTask;
    }
}
