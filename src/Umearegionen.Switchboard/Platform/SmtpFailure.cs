using System.Net.Mail;
using System.Net.Sockets;

namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// How a failed SMTP delivery is to be taken, the same for every outbox that sends e-mail (messages to staff,
/// guidance to callers): a recipient refused with 5xx is refused for good; 4xx (mailbox busy or full,
/// greylisting), a refused or dropped connection and any other server failure are worth another try.
/// </summary>
public readonly record struct SmtpFailure(bool Permanent, string Error)
{
    /// <summary>The failure <paramref name="ex"/> describes, or null when it is not a mail server's answer or a network failure.</summary>
    public static SmtpFailure? Of(Exception ex) => ex switch
    {
        SmtpFailedRecipientException refused when (int)refused.StatusCode >= 500 =>
            new(true, $"The mail server refused the address ({(int)refused.StatusCode} {refused.StatusCode})."),
        SmtpFailedRecipientException deferred =>
            new(false, $"The mail server could not take the address now ({(int)deferred.StatusCode} {deferred.StatusCode})."),
        // SmtpClient wraps a refused or dropped connection in an SmtpException (GeneralFailure).
        SmtpException { InnerException: SocketException socket } =>
            new(false, $"The mail server could not be reached: {socket.SocketErrorCode}."),
        SmtpException failed => new(false, $"The mail server failed ({(int)failed.StatusCode} {failed.StatusCode})."),
        IOException or SocketException or InvalidOperationException =>
            new(false, $"The mail server could not be reached: {ex.GetType().Name}."),
        _ => null,
    };
}
