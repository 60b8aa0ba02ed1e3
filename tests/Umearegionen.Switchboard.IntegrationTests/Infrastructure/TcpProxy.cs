using System.Net;
using System.Net.Sockets;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder between the service and PostgreSQL, so a test can take the database
/// away (and give it back) without stopping the server other tests use.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();

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

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken ct)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), ct); }
        catch { /* a cut connection ends here */ }
        finally { from.Dispose(); to.Dispose(); }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
