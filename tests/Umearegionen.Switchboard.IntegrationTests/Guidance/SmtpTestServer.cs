using System.Buffers;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Umearegionen.Switchboard.IntegrationTests.Guidance;

/// <summary>An e-mail as the server received it: the envelope's recipients, the decoded subject and body.</summary>
public sealed record ReceivedMail(IReadOnlyList<string> Recipients, string From, string Subject, string Body, string Raw);

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback port, for the e-mail tests. It keeps what it
/// receives, can answer RCPT TO for chosen addresses with a reply code of the test's choosing (550, 451, ...),
/// and can be stopped and started again on the same port, so that a sender meets a refused connection.
/// </summary>
public sealed partial class SmtpTestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _recipientReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Channel<ReceivedMail> _incoming = Channel.CreateUnbounded<ReceivedMail>();
    private readonly List<ReceivedMail> _seen = [];
    private readonly ConcurrentQueue<ReceivedMail> _all = new();
    private SmtpServer.SmtpServer? _server;
    private Task _running = Task.CompletedTask;
    private int _rcptCommands;

    public int Port { get; private set; }

    /// <summary>Every e-mail accepted so far.</summary>
    public IReadOnlyCollection<ReceivedMail> Received => _all;

    /// <summary>How many RCPT TO commands the server has answered (accepted or refused).</summary>
    public int RecipientCommands => Volatile.Read(ref _rcptCommands);

    public static async Task<SmtpTestServer> StartAsync()
    {
        var server = new SmtpTestServer();
        await server.ListenAsync(0);
        return server;
    }

    /// <summary>RCPT TO for this address is answered with this code (and a text); 0 accepts it again.</summary>
    public void ReplyToRecipient(string address, int code)
    {
        if (code == 0)
        {
            _recipientReplies.TryRemove(address, out _);
        }
        else
        {
            _recipientReplies[address] = code;
        }
    }

    /// <summary>Stops listening: a client now has its connection refused.</summary>
    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            server.Shutdown();
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
            _server = null;
        }
    }

    /// <summary>Listens again on the same port (nothing to do while it listens).</summary>
    public Task RestartAsync() => _server is null ? ListenAsync(Port) : Task.CompletedTask;

    /// <summary>The next e-mail to this address (one received earlier counts); fails after the driver's patience.</summary>
    public async Task<ReceivedMail> NextAsync(string recipient)
    {
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        while (true)
        {
            lock (_seen)
            {
                var match = _seen.FirstOrDefault(m => m.Recipients.Contains(recipient, StringComparer.OrdinalIgnoreCase));
                if (match is not null)
                {
                    _seen.Remove(match);
                    return match;
                }
            }

            var mail = await _incoming.Reader.ReadAsync(timeout.Token);
            lock (_seen)
            {
                _seen.Add(mail);
            }
        }
    }

    private async Task ListenAsync(int port)
    {
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Filter(this));
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(options, services);
        _running = server.StartAsync(CancellationToken.None);
        _server = server;
        var first = await Task.WhenAny(started.Task, _running, Task.Delay(TimeSpan.FromSeconds(10)));
        if (first != started.Task)
        {
            await _running;
            throw new InvalidOperationException("The test SMTP server did not start listening.");
        }

        Port = await started.Task;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Filter(SmtpTestServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner._rcptCommands);
            if (owner._recipientReplies.TryGetValue(to.AsAddress(), out var code))
            {
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)code,
                    code >= 500 ? "5.1.1 No such mailbox here" : "4.2.0 Mailbox busy, try again later"));
            }

            return Task.FromResult(true);
        }
    }

    private sealed class Store(SmtpTestServer owner) : IMessageStore
    {
        public Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var raw = Encoding.ASCII.GetString(buffer.ToArray());
            var (subject, body) = Parse(raw);
            var mail = new ReceivedMail([.. transaction.To.Select(t => t.AsAddress())], transaction.From.AsAddress(), subject, body, raw);
            owner._all.Enqueue(mail);
            owner._incoming.Writer.TryWrite(mail);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    /// <summary>The subject (folded lines joined, RFC 2047 words decoded) and the body (base64 or quoted-printable decoded).</summary>
    internal static (string Subject, string Body) Parse(string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? raw : raw[..split];
        var content = split < 0 ? "" : raw[(split + 4)..];
        var headers = Regex.Replace(head, "\r\n[ \t]+", " ").Split("\r\n")
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var subject = DecodeWords(headers.GetValueOrDefault("Subject", ""));
        var encoding = headers.GetValueOrDefault("Content-Transfer-Encoding", "7bit").ToLowerInvariant();
        var bytes = encoding switch
        {
            "base64" => Convert.FromBase64String(string.Concat(content.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))),
            "quoted-printable" => QuotedPrintable(content.Replace("=\r\n", "", StringComparison.Ordinal)),
            _ => Encoding.ASCII.GetBytes(content),
        };
        return (subject, Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n'));
    }

    // Adjacent encoded words are one text: their bytes are joined before decoding (a character may be split between two).
    private static string DecodeWords(string header)
    {
        var words = EncodedWord().Matches(header);
        if (words.Count == 0)
        {
            return header;
        }

        var text = new StringBuilder(header[..words[0].Index]);
        var bytes = new List<byte>();
        var charset = words[0].Groups[1].Value;
        for (var i = 0; i < words.Count; i++)
        {
            var m = words[i];
            bytes.AddRange(m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(m.Groups[3].Value)
                : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));
            var end = m.Index + m.Length;
            var gap = i + 1 < words.Count ? header[end..words[i + 1].Index] : header[end..];
            if (i + 1 == words.Count || !string.IsNullOrWhiteSpace(gap))
            {
                text.Append(Encoding.GetEncoding(charset).GetString([.. bytes])).Append(gap);
                bytes.Clear();
                charset = i + 1 < words.Count ? words[i + 1].Groups[1].Value : charset;
            }
        }

        return text.ToString();
    }

    private static byte[] QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
