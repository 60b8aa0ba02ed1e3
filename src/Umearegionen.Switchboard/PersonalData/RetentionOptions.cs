namespace Umearegionen.Switchboard.PersonalData;

/// <summary>
/// How long each kind of personal data is kept once its use is over, in days (docs/personal-data.md,
/// "What is stored, where and why"). Each municipality's records plan decides; these are the defaults.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "PersonalData:Retention";

    /// <summary>The zone <see cref="RunAt"/> and a run's day are counted in.</summary>
    public const string TimeZone = "Europe/Stockholm";

    /// <summary>Caller numbers on calls (and in their events and instructions), counted from the call's end.</summary>
    [Range(1, 3650)]
    public int CallerNumbersDays { get; set; } = 90;

    /// <summary>A callback's number, name and note (and its follow-up's note), counted from the end of its window or its follow-up, whichever is later.</summary>
    [Range(1, 3650)]
    public int CallbacksDays { get; set; } = 90;

    /// <summary>A message's caller and text, counted from when it was sent (or from when it was taken, once sending gave up).</summary>
    [Range(1, 3650)]
    public int MessagesDays { get; set; } = 90;

    /// <summary>
    /// The number or e-mail address a link to an e-service or an answer was sent to (Guidance), counted from when it
    /// was sent or given up: it is needed only to deliver the link.
    /// </summary>
    [Range(1, 3650)]
    public int GuidanceDays { get; set; } = 30;

    /// <summary>A fault report's contact and description, counted from its registration: a public record until then.</summary>
    [Range(1, 3650)]
    public int FaultReportsDays { get; set; } = 730;

    /// <summary>Staff referral reasons (e.g. sick leave) in the directory's history, counted from the change.</summary>
    [Range(1, 3650)]
    public int ReferralReasonsDays { get; set; } = 30;

    /// <summary>
    /// Entries of the access log (who opened personal data, privileged changes, failed logins), counted from when they
    /// were recorded; older entries are deleted whole. At least 30 days, so that a complaint can still be looked into.
    /// </summary>
    [Range(30, 3650)]
    public int AccessLogDays { get; set; } = 365;

    /// <summary>Whether the daily run happens (an administrator can still run it by hand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Local time of day (Europe/Stockholm) of the daily run.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan RunAt { get; set; } = new(3, 15, 0);

    /// <summary>Most records changed in one transaction.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Pause between two batches, so that calls' statements are never queued behind the job.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(100);
}
