using System.Net;
using System.Net.Mail;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Sends messages taken for a person or a unit by e-mail. The messages table is the outbox: a
/// message is stored with the call's outcome and sent afterwards, retried until it goes through
/// or <see cref="SmtpOptions.MaxAttempts"/> is reached. It runs on the leader node only; a message taken
/// on another node wakes it with <see cref="Signal.Messages"/>.
/// </summary>
public sealed class MessageSender(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<SmtpOptions> options, ClusterNode cluster, ClusterSignals signals,
    ILogger<MessageSender> logger) : BackgroundService
{
    private DateTimeOffset _lastNoSmtpWarning = DateTimeOffset.MinValue;

    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        WakeHere();
        if (!cluster.IsLeader)
        {
            signals.Publish(Signal.Messages);
        }
    }

    /// <summary>Wakes the sender on this node only (another node took a message).</summary>
    internal void WakeHere() => _wake.Wake();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetryInterval, clock);
        var wait = new WakeOrTick(_wake, timer, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoutingLog.MessageFailed(logger, Guid.Empty, 0, ex.Message);
            }

            await wait.WaitAsync();
        }
    }

    public async Task SendDueAsync(CancellationToken ct)
    {
        const string DueSql = """
            select m.id, m.recipient_name, m.recipient_email, m.caller_name, m.caller_number, m.text, m.taken_at,
                   m.attempts, c.municipality_code, c.menu_topic
            from messages m join calls c on c.id = m.call_id
            where m.sent_at is null and m.next_attempt_at <= @now and m.attempts < @maxAttempts and m.personal_data_removed_at is null
            order by m.next_attempt_at
            limit 50
            """;
        var smtp = options.Value;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var due = (await conn.QueryAsync<DueMessage>(new CommandDefinition(DueSql,
            new { now = clock.GetUtcNow(), maxAttempts = smtp.MaxAttempts }, cancellationToken: ct))).ToList();
        if (due.Count == 0)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            // Say it once in a while, not on every pass: the messages wait in the outbox meanwhile.
            if (clock.GetUtcNow() - _lastNoSmtpWarning >= TimeSpan.FromMinutes(5))
            {
                _lastNoSmtpWarning = clock.GetUtcNow();
                RoutingLog.NoSmtpServer(logger);
            }

            return;
        }

        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl };
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }

        foreach (var message in due)
        {
            try
            {
                // A message that cannot become an e-mail is given up at once; it must never stop the others.
                if (Build(smtp.From, message) is not { } mail)
                {
                    await conn.ExecuteAsync(new CommandDefinition("""
                        update messages set attempts = greatest(attempts + 1, @maxAttempts), last_error = @error where id = @id
                        """, new { id = message.Id, error = Unbuildable, maxAttempts = smtp.MaxAttempts }, cancellationToken: ct));
                    RoutingLog.MessageFailed(logger, message.Id, message.Attempts + 1, Unbuildable);
                    continue;
                }

                using (mail)
                {
                    await client.SendMailAsync(mail, ct);
                }

                await conn.ExecuteAsync(new CommandDefinition(
                    "update messages set sent_at = @now, attempts = attempts + 1, last_error = null where id = @id",
                    new { id = message.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
                RoutingLog.MessageSent(logger, message.Id);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // A recipient the mail server refuses for good (5xx) is given up at once; anything else is tried again.
                var failure = SmtpFailure.Of(ex) ?? new SmtpFailure(false, ex.Message);
                await conn.ExecuteAsync(new CommandDefinition("""
                    update messages set attempts = case when @permanent then greatest(attempts + 1, @maxAttempts) else attempts + 1 end,
                                        last_error = @error, next_attempt_at = @next
                    where id = @id
                    """, new { id = message.Id, permanent = failure.Permanent, maxAttempts = smtp.MaxAttempts, error = failure.Error,
                        next = clock.GetUtcNow() + smtp.RetryInterval }, cancellationToken: ct));
                RoutingLog.MessageFailed(logger, message.Id, message.Attempts + 1, failure.Error);
            }
        }
    }

    internal const string Unbuildable = "The recipient's e-mail address is not a valid address on one line; the message cannot be sent. " +
                                        "Give it to the recipient another way.";

    /// <summary>
    /// The e-mail for a message, or null when its recipient is not one plain address. Names are made one
    /// line (<see cref="PlainText"/>) before they reach a header, whatever a stored row holds.
    /// </summary>
    internal static MailMessage? Build(string from, DueMessage message)
    {
        if (!PlainText.IsSingleLine(message.RecipientEmail)
            || !MailAddress.TryCreate(message.RecipientEmail, out var to))
        {
            return null;
        }

        var safe = message with
        {
            RecipientName = OneLine(message.RecipientName),
            CallerName = message.CallerName is null ? null : OneLine(message.CallerName),
            CallerNumber = OneLine(message.CallerNumber),
        };
        var mail = new MailMessage(new MailAddress(from), to)
        {
            Subject = $"Meddelande från växeln: {safe.CallerName ?? safe.CallerNumber} har sökt dig",
            Body = Body(safe),
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
            BodyTransferEncoding = System.Net.Mime.TransferEncoding.Base64,
        };
        return mail;
    }

    private static string OneLine(string text) =>
        PlainText.IsSingleLine(text) ? text : new string([.. text.Select(c => PlainText.IsUnsafe(c) ? ' ' : c)]);

    private static string Body(DueMessage m) => $"""
        Hej {m.RecipientName},

        {m.CallerName ?? "En person"} ringde växeln {m.TakenAt.ToUniversalTime():yyyy-MM-dd HH:mm} (UTC) och vill nå dig.
        Nummer att ringa tillbaka: {m.CallerNumber}

        Meddelande:
        {m.Text}

        /Umeåregionens växel
        """;

    internal sealed record DueMessage(
        Guid Id, string RecipientName, string RecipientEmail, string? CallerName, string CallerNumber, string Text,
        DateTimeOffset TakenAt, int Attempts, string? MunicipalityCode, string? MenuTopic);
}
