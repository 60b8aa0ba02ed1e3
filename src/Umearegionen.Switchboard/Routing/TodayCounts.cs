using System.Collections.Immutable;

namespace Umearegionen.Switchboard.Routing;

/// <summary>Today's calls of one municipality ("unknown" for calls without one), as the manager's figures show them.</summary>
/// <summary>
/// Abandoned: every call whose caller hung up before an operator took it; ShortAbandoned: those of them
/// whose wait in whole seconds (truncated) was at most ServiceLevel:ShortAbandon — the statistics' `abandoned`
/// and `shortAbandoned` (docs/metrics.md), so the live view and the reports count the same calls.
/// </summary>
public sealed record TodayInMunicipality(string MunicipalityCode, int Calls, int Answered, int WithinTarget, int Abandoned, int ShortAbandoned = 0)
{
    public TodayInMunicipality Plus(TodayInMunicipality other) =>
        this with
        {
            Calls = Calls + other.Calls, Answered = Answered + other.Answered,
            WithinTarget = WithinTarget + other.WithinTarget, Abandoned = Abandoned + other.Abandoned,
            ShortAbandoned = ShortAbandoned + other.ShortAbandoned,
        };
}

/// <summary>
/// Today's calls per municipality with the answered, answered-in-time and abandoned counts, read for
/// the live snapshots several times a second. Counting every call of the day each time grows with the
/// day (a crisis day at 200 calls/s holds millions), so calls that can no longer change these figures
/// (answered, completed or abandoned) are counted once and remembered; each read counts only the calls
/// since the remembered point and those that were still open there. The remembered part moves forward
/// every <see cref="AdvanceEvery"/>, stays <see cref="Margin"/> behind the clock so that every call
/// queued before it is committed, and is counted again from scratch every <see cref="RecountEvery"/>
/// and at midnight, so a change made past the service (a repair in the database) shows within minutes.
/// </summary>
public sealed class TodayCounts(IOptions<ServiceLevelOptions> serviceLevel)
{
    /// <summary>
    /// A call's row is committed within its one intake statement of its queued_at (the intake reads the
    /// clock once it holds a connection); this far behind the clock all of them are. Each read counts the
    /// calls of the last Margin + AdvanceEvery afresh: at 200 calls/s some 1,400 rows.
    /// </summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    internal static readonly TimeSpan AdvanceEvery = TimeSpan.FromSeconds(2);

    internal static readonly TimeSpan RecountEvery = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _advancing = new(1, 1);
    private Remembered _remembered = Remembered.From(DateTimeOffset.MinValue, DateTimeOffset.MinValue);

    /// <summary>
    /// What is known about the calls queued from the day's start up to Until. OldestOpen is the earliest
    /// queued_at of the Open calls (Until when there are none): their reads look them up in the range from it
    /// to Until on the index of queued_at. By their ids alone, a list of a thousand or more (calls waiting
    /// while the operators fell behind) made PostgreSQL read the whole table, a year of calls, each time
    /// (docs/decisions/0036).
    /// </summary>
    private sealed record Remembered(
        DateTimeOffset DayStart, DateTimeOffset Until, DateTimeOffset CountedFrom,
        ImmutableDictionary<string, TodayInMunicipality> Settled, Guid[] Open, DateTimeOffset OldestOpen)
    {
        public static Remembered From(DateTimeOffset dayStart, DateTimeOffset now) =>
            new(dayStart, dayStart, now, ImmutableDictionary<string, TodayInMunicipality>.Empty, [], dayStart);
    }

    public async Task<IReadOnlyList<TodayInMunicipality>> ReadAsync(
        NpgsqlConnection conn, DateTimeOffset now, DateTimeOffset dayStart, CancellationToken ct)
    {
        var remembered = await CurrentAsync(conn, now, dayStart, ct);
        const string Sql = $"""
            select coalesce(municipality_code, 'unknown') as municipality_code, count(*)::int as calls,
                   {Figures}
            from (select municipality_code, state, queued_at, answered_at, completed_at, caller_left_at from calls where queued_at >= @until
                  union all
                  select municipality_code, state, queued_at, answered_at, completed_at, caller_left_at from calls
                  where id = any (@open) and queued_at >= @oldestOpen and queued_at < @until) c
            group by 1
            """;
        var recent = await conn.QueryAsync<TodayInMunicipality>(new CommandDefinition(Sql, new
        {
            until = remembered.Until, open = remembered.Open, oldestOpen = remembered.OldestOpen, targetSeconds = serviceLevel.Value.TargetSeconds, shortAbandonSeconds = serviceLevel.Value.ShortAbandonSeconds,
        }, cancellationToken: ct));
        return Add(remembered.Settled, recent).Values.OrderBy(t => t.MunicipalityCode, StringComparer.Ordinal).ToList();
    }

    private const string Figures = $"""
        count(*) filter (where answered_at is not null)::int as answered,
        count(*) filter (where answered_at is not null and {AnsweredInTime})::int as within_target,
        count(*) filter (where state = 'abandoned')::int as abandoned,
        count(*) filter (where state = 'abandoned' and {ShortWait})::int as short_abandoned
        """;

    // The statistics' wait of an abandoned call (call_facts_source): whole seconds, truncated.
    private const string ShortWait = "floor(extract(epoch from coalesce(completed_at, caller_left_at, queued_at) - queued_at)) <= @shortAbandonSeconds";

    // Answered in time as the reports count it: the wait in whole seconds, truncated, at most ServiceLevel:Target.
    private const string AnsweredInTime = "floor(extract(epoch from answered_at - queued_at)) <= @targetSeconds";

    private async Task<Remembered> CurrentAsync(NpgsqlConnection conn, DateTimeOffset now, DateTimeOffset dayStart, CancellationToken ct)
    {
        var remembered = Volatile.Read(ref _remembered);
        if (!Due(remembered, now, dayStart))
        {
            return remembered;
        }

        await _advancing.WaitAsync(ct);
        try
        {
            remembered = _remembered;
            if (!Due(remembered, now, dayStart))
            {
                return remembered;
            }

            if (remembered.DayStart != dayStart || now - remembered.CountedFrom >= RecountEvery)
            {
                remembered = Remembered.From(dayStart, now);
            }

            if (now - Margin - remembered.Until >= AdvanceEvery)
            {
                remembered = await AdvanceAsync(conn, remembered, now - Margin, ct);
            }

            Volatile.Write(ref _remembered, remembered);
            return remembered;
        }
        finally
        {
            _advancing.Release();
        }
    }

    private static bool Due(Remembered remembered, DateTimeOffset now, DateTimeOffset dayStart) =>
        remembered.DayStart != dayStart || now - remembered.CountedFrom >= RecountEvery || now - Margin - remembered.Until >= AdvanceEvery;

    /// <summary>Counts the calls queued from Until to the new point, and those still open at Until; remembers the settled ones.</summary>
    private async Task<Remembered> AdvanceAsync(NpgsqlConnection conn, Remembered remembered, DateTimeOffset to, CancellationToken ct)
    {
        const string Sql = $"""
            select coalesce(municipality_code, 'unknown') as municipality_code,
                   count(*) filter (where settled)::int as calls,
                   count(*) filter (where settled and answered_at is not null)::int as answered,
                   count(*) filter (where settled and answered_at is not null and {AnsweredInTime})::int as within_target,
                   count(*) filter (where settled and state = 'abandoned')::int as abandoned,
                   count(*) filter (where settled and state = 'abandoned' and {ShortWait})::int as short_abandoned,
                   coalesce(array_agg(id) filter (where not settled), array[]::uuid[]) as open,
                   min(queued_at) filter (where not settled) as oldest_open
            from (select id, municipality_code, state, queued_at, answered_at, completed_at, caller_left_at,
                         answered_at is not null or state in ('completed', 'abandoned') as settled
                  from (select id, municipality_code, state, queued_at, answered_at, completed_at, caller_left_at from calls
                        where queued_at >= @from and queued_at < @to
                        union all
                        select id, municipality_code, state, queued_at, answered_at, completed_at, caller_left_at from calls
                        where id = any (@open) and queued_at >= @oldestOpen and queued_at < @from) c) s
            group by 1
            """;
        var rows = (await conn.QueryAsync<AdvanceRow>(new CommandDefinition(Sql, new
        {
            from = remembered.Until, to, open = remembered.Open, oldestOpen = remembered.OldestOpen,
            targetSeconds = serviceLevel.Value.TargetSeconds, shortAbandonSeconds = serviceLevel.Value.ShortAbandonSeconds,
        }, cancellationToken: ct))).ToList();
        var settled = rows.Select(r => new TodayInMunicipality(r.MunicipalityCode, r.Calls, r.Answered, r.WithinTarget, r.Abandoned, r.ShortAbandoned));
        return remembered with
        {
            Until = to,
            Settled = Add(remembered.Settled, settled),
            Open = rows.SelectMany(r => r.Open).ToArray(),
            OldestOpen = rows.Select(r => r.OldestOpen).Where(o => o is not null).Min() ?? to,
        };
    }

    private static ImmutableDictionary<string, TodayInMunicipality> Add(
        ImmutableDictionary<string, TodayInMunicipality> counts, IEnumerable<TodayInMunicipality> more)
    {
        var builder = counts.ToBuilder();
        foreach (var m in more)
        {
            builder[m.MunicipalityCode] = builder.TryGetValue(m.MunicipalityCode, out var known) ? known.Plus(m) : m;
        }

        return builder.ToImmutable();
    }

    /// <summary>Properties, not a constructor: the driver reports an array column's type as Array, which no constructor parameter matches.</summary>
    private sealed class AdvanceRow
    {
        public string MunicipalityCode { get; init; } = "";
        public int Calls { get; init; }
        public int Answered { get; init; }
        public int WithinTarget { get; init; }
        public int Abandoned { get; init; }
        public int ShortAbandoned { get; init; }
        public Guid[] Open { get; init; } = [];

        public DateTimeOffset? OldestOpen { get; init; }
    }
}
