namespace Umearegionen.Switchboard.Contracts;

/// <summary>
/// Send the caller a link (docs/guidance.md, hub method SendGuidance): an answer (AnswerId), or one e-service
/// of a unit (UnitId + EService, the e-service's name as the directory has it). Channel "sms" | "email".
/// To: for sms a Swedish mobile number (default: the caller's number); for email the address the caller gave (required).
/// </summary>
public sealed record SendGuidanceRequest(
    Guid CallId, string Channel, Guid? AnswerId = null, Guid? UnitId = null, string? EService = null, string? To = null);

/// <summary>
/// One link sent (or being sent) to a caller. Status: "queued" | "sent" | "failed" (<see cref="GuidanceStatuses"/>);
/// Error: why the last attempt failed (while queued: it is tried again; when failed: given up). Recipient: the
/// number or address as sent to, null once the personal data has been removed.
/// </summary>
public sealed record GuidanceView(
    Guid Id, Guid CallId, string Channel, string? Recipient, Guid? AnswerId, Guid? UnitId, string? EService, string Title,
    string? Link, string Status, int Attempts, string? Error, DateTimeOffset QueuedAt, DateTimeOffset? SentAt, DateTimeOffset? FailedAt);

/// <summary>GuidanceView.Status (wire values).</summary>
public static class GuidanceStatuses
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>GuidanceView.Channel and SendGuidanceRequest.Channel (wire values).</summary>
public static class GuidanceChannels
{
    public const string Sms = "sms";
    public const string Email = "email";
}
