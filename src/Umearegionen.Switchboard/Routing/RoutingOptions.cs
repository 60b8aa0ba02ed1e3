namespace Umearegionen.Switchboard.Routing;

public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>Operators of this municipality form the main team; operators of the others are cover.</summary>
    [Required, RegularExpression("^[0-9]{4}$")]
    public string MainTeamMunicipality { get; set; } = "2403";

    /// <summary>A call that has waited this long may be offered to the cover team.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CoverThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an operator has to accept an offer before it goes to the next one.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan OfferTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// After-call work (efterarbete): an available operator who ends a call is in the wrap_up status this
    /// long before the next call is offered to them. Zero turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan AfterCallWork { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How much one ExtendAfterCallWork adds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AfterCallWorkExtension { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest after-call work, extensions included, counted from the end of the call.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan AfterCallWorkLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a disconnected operator keeps their status and place before being set offline.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the sweeper looks for expired offers, lapsed connections and expired notices.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Live snapshots are sent at most this often, and only when something changed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// A new call that finds a main-team operator free, beyond those the calls already waiting will get,
    /// is offered by the intake itself in the statement that stores it, instead of waiting for the
    /// dispatcher's next round.
    /// </summary>
    public bool OfferOnArrival { get; set; } = true;

    /// <summary>Most calls offered in one dispatch round.</summary>
    [Range(1, 10000)]
    public int DispatchBatchSize { get; set; } = 500;

    /// <summary>
    /// How far back the operator who has a call sees the caller's earlier calls (docs/hub.md, "Recent
    /// contacts"). Zero turns the list off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "31.00:00:00")]
    public TimeSpan RecentContactsWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The time zone "today" is counted in for the live figures.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Stockholm";
}

public sealed class TelephonyOptions
{
    public const string Section = "Telephony";

    /// <summary>Unacknowledged instructions older than this are sent again with every poll.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RedeliverAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a poll for instructions waits for new ones.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan MaxPollWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A write carries a waiting long poll's read (docs/decisions/0031) only while this node's pulses come
    /// slower than this: at higher rates the polls' own reads are shared by many instructions, and the
    /// scan inside the writes' transactions costs them latency. 0: writes never carry it.
    /// </summary>
    [Range(0, 100_000)]
    public int RideBelowPulsesPerSecond { get; set; } = 100;
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>The SMTP server messages are sent through; empty keeps messages stored and unsent.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public bool EnableSsl { get; set; }

    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    [Required, EmailAddress]
    public string From { get; set; } = "vaxeln@umearegionen.se";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;
}
