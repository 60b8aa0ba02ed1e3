using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Umearegionen.Switchboard.TelephonySimulator;

/// <summary>A message the simulated gateway accepted (docs/sms-gateway.md).</summary>
public sealed record SimulatedSms(string Id, string To, string Text, string Reference, DateTimeOffset ReceivedAt);

/// <summary>
/// A local SMS gateway that speaks the contract of docs/sms-gateway.md, for tests and the demo: it listens on
/// 127.0.0.1, checks the bearer key, records each message once per reference and can be told to fail the next
/// requests (<see cref="FailNext"/>, or POST /control/fail?count=N&amp;status=503). Nothing is sent anywhere.
/// </summary>
public sealed class SmsGatewaySimulator : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpListener _listener = new();
    private readonly string? _apiKey;
    private readonly ConcurrentDictionary<string, SimulatedSms> _byReference = new();
    private readonly ConcurrentQueue<SimulatedSms> _accepted = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _failures;
    private int _failStatus = 503;
    private int _requests;

    private SmsGatewaySimulator(int port, string? apiKey, TextWriter? log)
    {
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
        Log = log;
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Starts listening on <paramref name="port"/> (0: a free port).</summary>
    public static SmsGatewaySimulator Start(int port = 0, string? apiKey = null, TextWriter? log = null) =>
        new(port == 0 ? FreePort() : port, apiKey, log);

    public int Port { get; }

    /// <summary>The base address to configure as Sms:BaseUrl.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public TextWriter? Log { get; }

    /// <summary>Messages accepted, once per reference, in the order they came.</summary>
    public IReadOnlyList<SimulatedSms> Messages => [.. _accepted];

    /// <summary>Every POST /messages received, accepted, refused or failed (a repeated reference counts again).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The next <paramref name="count"/> POST /messages answer <paramref name="status"/> (5xx: try again; 4xx: refused).</summary>
    public void FailNext(int count, int status = 503)
    {
        Volatile.Write(ref _failStatus, status);
        Volatile.Write(ref _failures, count);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var (request, response) = (context.Request, context.Response);
        try
        {
            var path = request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            switch (request.HttpMethod, path)
            {
                case ("POST", "/messages"):
                    Interlocked.Increment(ref _requests);
                    await ReceiveAsync(request, response);
                    break;
                case ("GET", "/messages"):
                    await WriteAsync(response, 200, Messages);
                    break;
                case ("POST", "/control/fail"):
                    var count = int.TryParse(request.QueryString["count"], out var c) ? c : 1;
                    var status = int.TryParse(request.QueryString["status"], out var s) ? s : 503;
                    FailNext(count, status);
                    await WriteAsync(response, 200, new { failNext = count, status });
                    break;
                default:
                    await WriteAsync(response, 404, new { error = "Not found: POST /messages is the gateway." });
                    break;
            }
        }
        catch (Exception ex)
        {
            Log?.WriteLine($"sms-gateway: {ex.GetType().Name}: {ex.Message}");
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    private async Task ReceiveAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (_apiKey is not null && request.Headers["Authorization"] != "Bearer " + _apiKey)
        {
            await WriteAsync(response, 401, new { error = "Missing or wrong API key: send Authorization: Bearer <key>." });
            return;
        }

        // A failure asked for comes before the body is read, as a gateway that is down would.
        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            var status = Volatile.Read(ref _failStatus);
            Log?.WriteLine($"sms-gateway: failing a request on purpose with {status}");
            await WriteAsync(response, status, new { error = status >= 500 ? "Simulated gateway failure." : "Simulated refusal." });
            return;
        }

        Interlocked.Exchange(ref _failures, 0);
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        Body? body;
        try
        {
            body = JsonSerializer.Deserialize<Body>(await reader.ReadToEndAsync(), Json);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null || string.IsNullOrWhiteSpace(body.Reference) || string.IsNullOrWhiteSpace(body.Text))
        {
            await WriteAsync(response, 400, new { error = "The body must be JSON { \"to\", \"text\", \"reference\" } with text and reference set." });
            return;
        }

        if (body.Text.Length > 1600)
        {
            await WriteAsync(response, 400, new { error = "text is longer than 1600 characters." });
            return;
        }

        if (body.To is null || body.To.Length is < 8 or > 16 || body.To[0] != '+' || !body.To[1..].All(char.IsAsciiDigit))
        {
            await WriteAsync(response, 422, new { error = "to must be a number in E.164 form, such as +46701234567." });
            return;
        }

        var message = new SimulatedSms("sim-" + Guid.NewGuid().ToString("N")[..12], body.To, body.Text, body.Reference, DateTimeOffset.UtcNow);
        var stored = _byReference.GetOrAdd(body.Reference, message);
        if (ReferenceEquals(stored, message))
        {
            _accepted.Enqueue(message);
            // The number is shown shortened: the demo's console is no place for a citizen's number.
            Log?.WriteLine($"sms-gateway: SMS {message.Id} to {Masked(message.To)} (reference {message.Reference}):{Environment.NewLine}  " +
                           message.Text.Replace("\n", Environment.NewLine + "  ", StringComparison.Ordinal));
            await WriteAsync(response, 202, new { id = message.Id, reference = message.Reference, duplicate = false });
        }
        else
        {
            await WriteAsync(response, 200, new { id = stored.Id, reference = stored.Reference, duplicate = true });
        }
    }

    private static string Masked(string number) => number.Length > 6 ? number[..5] + new string('•', number.Length - 7) + number[^2..] : "•••";

    private static async Task WriteAsync(HttpListenerResponse response, int status, object body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Json);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private sealed record Body(string? To, string? Text, string? Reference);
}
