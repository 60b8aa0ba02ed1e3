namespace Umearegionen.Switchboard.StatisticsBench;

/// <summary>One generated ended call, as routing would have left it in <c>calls</c>.</summary>
public sealed record BenchCall(
    Guid Id,
    string PlatformCallId,
    string CallerNumber,
    string DialledNumber,
    string MunicipalityCode,
    string? Topic,
    DateTime QueuedAt,
    Guid? OperatorId,
    DateTime? AnsweredAt,
    DateTime CompletedAt,
    DateTime? CallerLeftAt,
    string Outcome,
    int? TransferUnit)
{
    public bool Abandoned => Outcome == "abandoned";

    public string State => Abandoned ? "abandoned" : "completed";

    public string? WrapUpCategory => Abandoned ? null : "bench";

    /// <summary>
    /// The call's events in the order routing records them: received; then accepted and completed
    /// (a transfer names its unit in the completed event's details), or the caller hanging up.
    /// </summary>
    public IEnumerable<BenchEvent> Events()
    {
        yield return new BenchEvent("received", "received", QueuedAt, "telephony", $$"""{"dialledNumber": "{{DialledNumber}}"}""");
        if (Abandoned)
        {
            yield return new BenchEvent("platform_ended", "ended", CallerLeftAt!.Value, "telephony", null);
            yield break;
        }

        var actor = OperatorId!.Value.ToString();
        yield return new BenchEvent("accepted", null, AnsweredAt!.Value, actor, null);
        var details = TransferUnit is { } unit ? $$"""{"kind": "unit", "id": "unit-{{unit}}", "name": "Enhet {{unit}}"}""" : "null";
        yield return new BenchEvent("completed", null, CompletedAt, actor,
            $$"""{"outcome": "{{Outcome}}", "wrapUpCategory": "bench", "details": {{details}}}""");
    }
}

/// <summary>One row of <c>call_events</c> (its id is given when it is written).</summary>
public sealed record BenchEvent(string Type, string? PlatformEventId, DateTime OccurredAt, string ActorId, string? Data);

/// <summary>
/// The statistics benchmark's year of calls, drawn from a seeded random source so that a run can be
/// repeated: the six municipalities by population (Umeå about 80 %), 07:00–18:00 local on each of 365
/// days, 8 % abandoned, the rest answered within 0–90 s (most within a few seconds) and handled for
/// 30–400 s, spread over 40 operators; eight menu choices (one of them none); transfers to 60 units.
/// Calls come day by day in the order they were queued, as the service would have written them.
/// </summary>
public sealed class HistoryPlan
{
    /// <summary>The main numbers dialled and the cumulative share of calls below each (by population).</summary>
    public static readonly IReadOnlyList<(double Below, string Number)> DialledShares =
    [
        (0.81, "+4690161000"), (0.865, "+4693514000"), (0.909, "+4693014000"),
        (0.95, "+4693414000"), (0.983, "+4693314000"), (1.0, "+4693214000"),
    ];

    private static readonly string?[] Topics = ["bygglov", "skola", "socialtjanst", "vatten", "renhallning", "gator", "fritid", null];

    private static readonly string[] Outcomes = ["answered", "transferred", "transferred", "transferred", "answered", "callback", "message", "fault_report"];

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private readonly int calls;
    private readonly int year;
    private readonly IReadOnlyList<Guid> operators;
    private readonly IReadOnlyDictionary<string, string> municipalityOf;
    private readonly Random random;

    /// <param name="municipalityOf">Each dialled number's municipality (dialled_numbers).</param>
    public HistoryPlan(int calls, int year, IReadOnlyList<Guid> operators, IReadOnlyDictionary<string, string> municipalityOf, int seed = 2025)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(calls);
        if (operators.Count == 0)
        {
            throw new ArgumentException("at least one operator", nameof(operators));
        }

        foreach (var (_, number) in DialledShares)
        {
            if (!municipalityOf.ContainsKey(number))
            {
                throw new ArgumentException($"dialled number {number} has no municipality", nameof(municipalityOf));
            }
        }

        this.calls = calls;
        this.year = year;
        this.operators = operators;
        this.municipalityOf = municipalityOf;
        random = new Random(seed);
    }

    public const int Days = 365;

    /// <summary>How many of <paramref name="calls"/> fall on day <paramref name="day"/> (0–364): as even as whole calls allow.</summary>
    public static int CallsOnDay(int calls, int day) => (int)((long)calls * (day + 1) / Days - (long)calls * day / Days);

    /// <summary>Every call of the year, day by day, each day in the order the calls were queued.</summary>
    public IEnumerable<BenchCall> Calls()
    {
        var number = 0;
        for (var day = 0; day < Days; day++)
        {
            // 07:00 local; daylight saving changes at night, so the whole working day has this offset.
            var opens = TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, 1, 1, 7, 0, 0, DateTimeKind.Unspecified).AddDays(day), Stockholm);
            var today = new BenchCall[CallsOnDay(calls, day)];
            for (var i = 0; i < today.Length; i++)
            {
                today[i] = Next(++number, opens);
            }

            Array.Sort(today, (a, b) => a.QueuedAt.CompareTo(b.QueuedAt));
            foreach (var call in today)
            {
                yield return call;
            }
        }
    }

    private BenchCall Next(int number, DateTime opens)
    {
        var queued = opens.AddSeconds(random.Next(0, 39_601));
        var r = random.NextDouble();
        var dialled = DialledShares.First(s => r < s.Below).Number;
        var topic = Topics[random.Next(Topics.Length)];
        var caller = "+4670" + random.Next(1_000_000, 10_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var waited = (int)Math.Round(Math.Pow(random.NextDouble(), 2) * 90);
        var id = NewId();
        if (random.NextDouble() < 0.08)
        {
            var left = queued.AddSeconds(waited);
            return new BenchCall(id, "bench-" + number, caller, dialled, municipalityOf[dialled], topic, queued,
                null, null, left, left, "abandoned", null);
        }

        var outcome = Outcomes[random.Next(Outcomes.Length)];
        var answered = queued.AddSeconds(waited);
        var completed = answered.AddSeconds(30 + random.Next(0, 371));
        var unit = outcome == "transferred" ? random.Next(60) : (int?)null;
        return new BenchCall(id, "bench-" + number, caller, dialled, municipalityOf[dialled], topic, queued,
            operators[random.Next(operators.Count)], answered, completed, null, outcome, unit);
    }

    /// <summary>A random (version 4) UUID from the seeded source.</summary>
    private Guid NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
