using System.Net.Sockets;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// A real redis-server, a child process of the test, on a port of its own, with nothing saved to disk.
/// Stopped and started again on the same port, as an outage of the backplane.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ProcessLog _log;
    private Process? _process;

    private RedisServer(string directory, string logPath)
    {
        _directory = directory;
        _log = new ProcessLog(logPath);
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>ConnectionStrings:Redis for the nodes.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool Running => _process is { HasExited: false };

    public string LogPath => _log.Path;

    public static async Task<RedisServer> StartAsync(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var server = new RedisServer(directory, Path.Combine(directory, "redis.log"));
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        if (Running)
        {
            throw new InvalidOperationException("Redis is already running.");
        }

        var executable = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
        var start = new ProcessStartInfo(executable,
            ["--bind", "127.0.0.1", "--port", Port.ToString(), "--save", "", "--appendonly", "no", "--dir", _directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = _log.Start(start, "redis-server");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "redis-server is not installed (Debian: apt-get install redis-server; scripts/test.sh cluster and all install it).", ex);
        }

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > until)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}:\n{_log.Tail(20)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the server at once (SIGKILL), as a crash or a cut network would: every client's connection drops.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            _log.Mark("stopped (SIGKILL) by the test");
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public string Tail(int lines = 10) => _log.Tail(lines);

    /// <summary>How many clients are subscribed to channels (CLIENT LIST TYPE pubsub): one per node whose backplane listens.</summary>
    public async Task<int> SubscribersAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("CLIENT LIST TYPE pubsub\r\n"u8.ToArray(), timeout.Token);
        // A bulk string: "$<length>\r\n<lines>\r\n".
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("Redis closed the connection.");
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
            var text = Encoding.ASCII.GetString(received.ToArray());
            var header = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (header > 0 && int.TryParse(text.AsSpan(1, header - 1), out var length) && text.Length >= header + 2 + length)
            {
                return text.Substring(header + 2, length).Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("cmd=", StringComparison.Ordinal));
            }
        }
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _log.Dispose();
    }
}

/// <summary>A free TCP port on the loopback interface (the system's choice, released at once for the caller to bind).</summary>
public static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// The output of a child process, both streams, appended to one file that survives restarts of the
/// process, with lines the test writes itself (started, killed, stopped) in between.
/// </summary>
public sealed class ProcessLog : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer;

    public ProcessLog(string path)
    {
        Path = path;
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    public Process Start(ProcessStartInfo start, string what)
    {
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data is null ? null : "stderr: " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Mark($"{what} started, pid {process.Id}");
        return process;
    }

    public void Mark(string what) => Write($"=== {DateTime.Now:HH:mm:ss.fff} {what} ===");

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a process killed as the test ends.
            }
        }
    }

    public string Tail(int lines)
    {
        lock (_gate)
        {
            try
            {
                using var reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return string.Join('\n', all.TakeLast(lines));
            }
            catch (IOException ex)
            {
                return $"(could not read {Path}: {ex.Message})";
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}
