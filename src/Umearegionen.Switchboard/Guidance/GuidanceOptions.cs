namespace Umearegionen.Switchboard.Guidance;

/// <summary>The SMS gateway guidance is sent through (docs/sms-gateway.md).</summary>
public sealed class SmsOptions
{
    public const string Section = "Sms";

    /// <summary>The gateway's base address (POST {BaseUrl}/messages); empty keeps SMS stored and unsent, like Smtp:Host.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Sent as "Authorization: Bearer {ApiKey}". Never in the repository: an environment variable or a secret store.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The first wait after a failed attempt; each further failure doubles it, up to an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts (for 5xx answers, timeouts and unreachable gateways) before an SMS is given up as failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How long one request to the gateway may take before it counts as a failed attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
