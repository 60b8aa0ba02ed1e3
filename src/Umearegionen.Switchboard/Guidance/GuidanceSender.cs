using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Mail;

namespace Umearegionen.Switchboard.Guidance;

/// <summary>
/// Delivers the guidance outbox (guidance_sends): SMS to the gateway of docs/sms-gateway.md, e-mail through
/// Smtp:* as <see cref="MessageSender"/> does. It runs on the leader node only; a link queued on another node
/// wakes it with <see cref="Signal.Guidance"/>. Each row's outcome is one conditional update (the row must
/// still be queued with the attempts this pass read), so a stale leader cannot record an attempt twice; the
/// gateway is idempotent on the row's id (reference), so a request repeated after a lost answer sends once.
/// A 2xx is sent; a 4xx is given up at once (failed, with the gateway's reason); a 5xx, a timeout or an
/// unreachable gateway is tried again after Sms:RetryInterval, doubling each time, until Sms:MaxAttempts.
/// </summary>
public sealed partial class GuidanceSender(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<SmsOptions> sms, IOptions<SmtpOptions> smtp, IHttpClientFactory http,
    ClusterNode cluster, ClusterSignals signals, GuidanceNotifier notifier, ILogger<GuidanceSender> logger) : BackgroundService
{
    public const string HttpClientName = "sms-gateway";

    /// <summary>Longest wait between two attempts, however many have failed.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private DateTimeOffset _lastNoGatewayWarning = DateTimeOffset.MinValue;

    public void Wake()
    {
        WakeHere();
        if (!cluster.IsLeader)
        {
            signals.Publish(Signal.Guidance);
        }
    }

    internal void WakeHere() => _wake.Wake();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        // The shortest of the two retry intervals: a row due for another attempt is picked up on the next tick at the latest.
        var interval = sms.Value.RetryInterval < smtp.Value.RetryInterval ? sms.Value.RetryInterval : smtp.Value.RetryInterval;
        using var timer = new PeriodicTimer(interval, clock);
        var wait = new WakeOrTick(_wake, timer, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, ex);
            }

            await wait.WaitAsync();
        }
    }

    /// <summary>One pass over the rows due now (public for tests that drive it on a stopped clock).</summary>
    public async Task SendDueAsync(CancellationToken ct)
    {
        const string DueSql = """
            select id, call_id, sent_by, channel, recipient, title, link, text, attempts from guidance_sends
            where status = 'queued' and next_attempt_at <= @now and recipient is not null
              and ((channel = 'sms' and @sms) or (channel = 'email' and @email))
            order by next_attempt_at
            limit 50
            """;
        var (gateway, mail) = (sms.Value, smtp.Value);
        var smsReady = !string.IsNullOrWhiteSpace(gateway.BaseUrl);
        var emailReady = !string.IsNullOrWhiteSpace(mail.Host);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (!smsReady || !emailReady)
        {
            await WarnIfWaitingAsync(conn, smsReady, emailReady, ct);
        }

        var due = (await conn.QueryAsync<DueRow>(new CommandDefinition(DueSql,
            new { now = clock.GetUtcNow(), sms = smsReady, email = emailReady }, cancellationToken: ct))).AsList();
        foreach (var row in due)
        {
            var outcome = row.Channel == GuidanceChannels.Sms
                ? await PostSmsAsync(gateway, row, ct)
                : await MailAsync(mail, row, ct);
            await RecordAsync(conn, row, outcome, ct);
        }
    }

    private async Task WarnIfWaitingAsync(NpgsqlConnection conn, bool smsReady, bool emailReady, CancellationToken ct)
    {
        // Said once in a while, not on every pass: the rows wait in the outbox meanwhile.
        if (clock.GetUtcNow() - _lastNoGatewayWarning < TimeSpan.FromMinutes(5))
        {
            return;
        }

        var waiting = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            select count(*) from guidance_sends
            where status = 'queued' and ((channel = 'sms' and not @sms) or (channel = 'email' and not @email))
            """, new { sms = smsReady, email = emailReady }, cancellationToken: ct));
        if (waiting > 0)
        {
            _lastNoGatewayWarning = clock.GetUtcNow();
            LogNotConfigured(logger, waiting);
        }
    }

    private async Task<Outcome> PostSmsAsync(SmsOptions gateway, DueRow row, CancellationToken ct)
    {
        var client = http.CreateClient(HttpClientName);
        client.Timeout = gateway.Timeout;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl.TrimEnd('/') + "/messages"))
        {
            Content = JsonContent.Create(new SmsGatewayMessage(row.Recipient, row.Text, row.Id.ToString())),
        };
        if (!string.IsNullOrEmpty(gateway.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.ApiKey);
        }

        try
        {
            using var response = await client.SendAsync(request, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return Outcome.Sent;
            }

            var reason = await ReasonAsync(response, ct);
            return code is >= 400 and < 500 && response.StatusCode != HttpStatusCode.RequestTimeout && response.StatusCode != HttpStatusCode.TooManyRequests
                ? Outcome.Permanent($"The SMS gateway refused the message ({code}): {reason}")
                : Outcome.Retry($"The SMS gateway failed ({code}): {reason}");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
        {
            return Outcome.Retry(ex is TaskCanceledException
                ? $"The SMS gateway did not answer within {gateway.Timeout.TotalSeconds:0} s."
                : $"The SMS gateway could not be reached: {ex.Message}");
        }
    }

    /// <summary>The gateway's reason ({"error": "..."} or its text), one line, without the recipient (the gateway may quote it).</summary>
    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                body = error.GetString() ?? "";
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // A text body is the reason as it is.
        }

        body = string.Join(' ', body.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        body = System.Text.RegularExpressions.Regex.Replace(body, @"\+?\d[\d\s\-]{6,}\d", "[nummer]");
        return body.Length == 0 ? response.ReasonPhrase ?? "no reason given" : body.Length > 300 ? body[..300] : body;
    }

    private async Task<Outcome> MailAsync(SmtpOptions mail, DueRow row, CancellationToken ct)
    {
        if (!MailAddress.TryCreate(row.Recipient, out var to))
        {
            return Outcome.Permanent("The e-mail address is not a valid address; the link cannot be sent by e-mail.");
        }

        try
        {
            using var client = new SmtpClient(mail.Host, mail.Port) { EnableSsl = mail.EnableSsl };
            if (!string.IsNullOrEmpty(mail.UserName))
            {
                client.Credentials = new NetworkCredential(mail.UserName, mail.Password);
            }

            using var message = new MailMessage(new MailAddress(mail.From), to)
            {
                Subject = "Länk från Umeåregionens växel: " + new string([.. row.Title.Select(c => char.IsControl(c) ? ' ' : c)]),
                Body = row.Text,
                BodyEncoding = System.Text.Encoding.UTF8,
                SubjectEncoding = System.Text.Encoding.UTF8,
                BodyTransferEncoding = System.Net.Mime.TransferEncoding.Base64,
            };
            await client.SendMailAsync(message, ct);
            return Outcome.Sent;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && SmtpFailure.Of(ex) is { } failure)
        {
            return failure.Permanent ? Outcome.Permanent(failure.Error) : Outcome.Retry(failure.Error);
        }
    }

    private async Task RecordAsync(NpgsqlConnection conn, DueRow row, Outcome outcome, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var maxAttempts = row.Channel == GuidanceChannels.Sms ? sms.Value.MaxAttempts : smtp.Value.MaxAttempts;
        var attempts = row.Attempts + 1;
        var giveUp = outcome.Permanent_ || (!outcome.Delivered && attempts >= maxAttempts);
        var first = row.Channel == GuidanceChannels.Sms ? sms.Value.RetryInterval : smtp.Value.RetryInterval;
        var wait = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, first.Ticks * (1L << Math.Min(attempts - 1, 20))));
        var status = outcome.Delivered ? GuidanceStatuses.Sent : giveUp ? GuidanceStatuses.Failed : GuidanceStatuses.Queued;
        var updated = await conn.QuerySingleOrDefaultAsync<GuidanceRow>(new CommandDefinition($"""
            update guidance_sends
            set attempts = @attempts, status = @status, last_error = @error, next_attempt_at = @next,
                sent_at = case when @status = 'sent' then @now end, failed_at = case when @status = 'failed' then @now end
            where id = @id and status = 'queued' and attempts = @read
            returning {GuidanceSends.Columns}
            """, new
        {
            id = row.Id, read = row.Attempts, attempts, status, error = outcome.Error, next = now + wait, now,
        }, cancellationToken: ct));
        if (updated is null)
        {
            return;
        }

        if (outcome.Delivered)
        {
            LogSent(logger, row.Id, row.Channel, attempts);
        }
        else
        {
            LogAttemptFailed(logger, row.Id, row.Channel, attempts, status, outcome.Error!);
        }

        await notifier.UpdatedAsync(row.SentBy, updated.ToView());
    }

    internal sealed record DueRow(Guid Id, Guid CallId, Guid SentBy, string Channel, string Recipient, string Title, string? Link, string Text, int Attempts);

    private sealed record Outcome(bool Delivered, bool Permanent_, string? Error)
    {
        public static readonly Outcome Sent = new(true, false, null);

        public static Outcome Permanent(string error) => new(false, true, error);

        public static Outcome Retry(string error) => new(false, false, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Guidance {GuidanceId} sent by {Channel} at attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, Guid guidanceId, string channel, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guidance {GuidanceId} by {Channel}: attempt {Attempt} failed, now {Status}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, Guid guidanceId, string channel, int attempt, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Waiting} links wait to be sent: Sms:BaseUrl or Smtp:Host is not set")]
    private static partial void LogNotConfigured(ILogger logger, long waiting);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pass of the guidance sender failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception ex);
}

/// <summary>The gateway's request body (docs/sms-gateway.md).</summary>
public sealed record SmsGatewayMessage(string To, string Text, string Reference);
