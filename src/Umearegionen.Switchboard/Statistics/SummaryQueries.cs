using System.Collections.Concurrent;

namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// The summary SQL. Totals, municipality, day, month and weekday read the daily rollup per
/// municipality; unit, topic, operator, hour and wrapUpCategory (alone or with one of those) read the
/// daily slice rollup, and two of them at once its pairs. The per-call facts give the same counts and the
/// same wait histogram (forceFacts, for the tests), and the same tail turns them into figures, so a slice
/// never depends on which table answered it.
/// </summary>
public static class SummaryQueries
{
    // Group keys are fixed fragments chosen by dimension, never text from the request.
    private static readonly Dictionary<string, string> FactKeys = new(StringComparer.Ordinal)
    {
        [Dimensions.None] = "''",
        [Dimensions.Municipality] = "coalesce(municipality_code, '')",
        [Dimensions.Unit] = "coalesce(unit_id, '')",
        [Dimensions.Topic] = "coalesce(topic, '')",
        [Dimensions.Operator] = "coalesce(operator_id::text, '')",
        [Dimensions.Hour] = "lpad(local_hour::text, 2, '0')",
        [Dimensions.Weekday] = "local_weekday::text",
        [Dimensions.Day] = "to_char(local_date, 'YYYY-MM-DD')",
        [Dimensions.Month] = "to_char(local_date, 'YYYY-MM')",
        [Dimensions.WrapUpCategory] = "coalesce(wrap_up_category, '')",
    };

    // The same keys over the rollups: call_daily and call_slices store municipality '' for none,
    // the slice's own key (already in the facts' form) in "key", and the local date (a call's
    // weekday is its local date's).
    private static readonly Dictionary<string, string> RollupKeys = new(StringComparer.Ordinal)
    {
        [Dimensions.None] = "''",
        [Dimensions.Municipality] = "municipality_code",
        [Dimensions.Unit] = "key",
        [Dimensions.Topic] = "key",
        [Dimensions.Operator] = "key",
        [Dimensions.Hour] = "key",
        [Dimensions.Weekday] = "extract(isodow from local_date)::int::text",
        [Dimensions.Day] = "to_char(local_date, 'YYYY-MM-DD')",
        [Dimensions.Month] = "to_char(local_date, 'YYYY-MM')",
        [Dimensions.WrapUpCategory] = "key",
    };

    // A pair's rollup key holds its two keys in the rollup's order joined by chr(31) (call_fact_slice_keys.sql);
    // a row's key reads them joined by '|' in the order asked for, as the facts' key does.
    private const string PairKey = "split_part(key, chr(31), 1) || '|' || split_part(key, chr(31), 2)";

    private const string ReversedPairKey = "split_part(key, chr(31), 2) || '|' || split_part(key, chr(31), 1)";

    private const string PeriodFilter = """
        local_date between @from and @to and (@municipality::text is null or municipality_code = @municipality)
        """;

    private const string Sums = """
        sum(offered)::int as offered, sum(answered)::int as answered,
        sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
        sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
        sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
        sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
        sum(messages)::int as messages, sum(fault_reports)::int as fault_reports,
        sum(bounce_backs)::int as bounce_backs, sum(closed_destinations)::int as closed_destinations
        """;

    private const string Tail = """
        , waits as (
            select key,
                   coalesce(sum(calls) filter (where not answered and wait_seconds <= @shortAbandon), 0)::int as short_abandoned,
                   coalesce(sum(calls) filter (where answered and wait_seconds <= @target), 0)::int as answered_within_target
            from w group by key
        ), hist as (
            select key, wait_seconds, sum(calls) as n from w where answered group by key, wait_seconds
        ), cum as (
            select key, wait_seconds, sum(n) over (partition by key order by wait_seconds) as c, sum(n) over (partition by key) as t
            from hist
        ), p90 as (
            -- Nearest rank: the smallest wait that at least 90 % of answered calls did not exceed.
            select key, min(wait_seconds) as wait_p90 from cum where c >= 0.9 * t group by key
        )
        select counts.key, offered, answered, abandoned, coalesce(waits.short_abandoned, 0) as short_abandoned,
               coalesce(waits.answered_within_target, 0) as answered_within_target, answered_wait_sum, handle_sum,
               p90.wait_p90, answered_direct, transferred, callbacks, callbacks_kept, callbacks_missed, messages,
               fault_reports, bounce_backs, closed_destinations
        from counts
        left join waits on waits.key = counts.key
        left join p90 on p90.key = counts.key
        order by counts.key
        """;

    private static readonly ConcurrentDictionary<string, string> RollupSql = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, string> FactSql = new(StringComparer.Ordinal);

    // The key of a row: one dimension's key, or two joined with '|'.
    private static string KeyOf(string by, IReadOnlyDictionary<string, string> keys) =>
        string.Join(" || '|' || ", Dimensions.Parts(by).Select(p => keys[p]));

    // A row that adds up to nothing (a rollup row whose calls moved out) is no row.
    private const string Having = "having sum(offered) <> 0 or sum(closed_destinations) <> 0";

    private static string DailyRollupQuery(string key) => $"""
            with counts as (
                select {key} as key, {Sums}
                from call_daily where {PeriodFilter}
                group by 1 {Having}
            ), w as (
                select {key} as key, answered, wait_seconds, sum(calls)::bigint as calls
                from call_daily_waits where {PeriodFilter}
                group by 1, 2, 3
            )
            {Tail}
            """;

    // The slice rollup. The histogram of whole months in the range comes from the monthly table,
    // the days before and after them from the daily one (@monthsFrom = @monthsTo: none).
    private static string SliceRollupQuery(string key) => $"""
            with counts as (
                select {key} as key, {Sums}
                from call_slices where dimension = @dimension and {PeriodFilter}
                group by 1 {Having}
            ), w as (
                select {key} as key, answered, wait_seconds, sum(calls)::bigint as calls
                from (
                    select local_date, municipality_code, key, answered, wait_seconds, calls
                    from call_slice_waits_monthly
                    where dimension = @dimension and local_date >= @monthsFrom and local_date < @monthsTo
                      and (@municipality::text is null or municipality_code = @municipality)
                    union all
                    select local_date, municipality_code, key, answered, wait_seconds, calls
                    from call_slice_waits
                    where dimension = @dimension and {PeriodFilter} and not (local_date >= @monthsFrom and local_date < @monthsTo)
                ) x
                group by 1, 2, 3
            )
            {Tail}
            """;

    // One pass over the facts, grouped by key and wait: the counts and the histogram both come from
    // it. By unit, each closed unit a call was refused adds a row under that unit that counts only
    // as a closed destination (answered null: in no count and no histogram bucket).
    private static string FactQuery(string by)
    {
        var key = KeyOf(by, FactKeys);
        var facts = Dimensions.Parts(by).Contains(Dimensions.Unit)
            ? $"""
              select {key} as key, answered, wait_seconds, outcome, handle_seconds, wrap_up_seconds, callback_result, bounced_back,
                     true as is_call, 0 as closed
              from call_facts where {PeriodFilter}
              union all
              select {KeyOf(by, new Dictionary<string, string>(FactKeys) { [Dimensions.Unit] = "cu.closed_unit" })} as key,
                     null, 0, null, 0, 0, null, false, false, 1
              from call_facts, unnest(closed_unit_ids) cu (closed_unit) where {PeriodFilter}
              """
            : $"""
              select {key} as key, answered, wait_seconds, outcome, handle_seconds, wrap_up_seconds, callback_result, bounced_back,
                     true as is_call, (cardinality(closed_unit_ids) > 0)::int as closed
              from call_facts where {PeriodFilter}
              """;
        return $"""
            with f as (
                {facts}
            ), g as (
                select key, answered, least(wait_seconds, 3600) as wait_seconds, count(*) filter (where is_call)::bigint as calls,
                       count(*) filter (where outcome = 'abandoned')::int as abandoned,
                       coalesce(sum(wait_seconds) filter (where answered), 0)::bigint as answered_wait_sum,
                       coalesce(sum(handle_seconds + wrap_up_seconds) filter (where answered), 0)::bigint as handle_sum,
                       count(*) filter (where outcome = 'answered')::int as answered_direct,
                       count(*) filter (where outcome = 'transferred')::int as transferred,
                       count(*) filter (where outcome = 'callback')::int as callbacks,
                       count(*) filter (where callback_result = 'kept')::int as callbacks_kept,
                       count(*) filter (where callback_result = 'missed')::int as callbacks_missed,
                       count(*) filter (where outcome = 'message')::int as messages,
                       count(*) filter (where outcome = 'fault_report')::int as fault_reports,
                       count(*) filter (where bounced_back)::int as bounce_backs,
                       sum(closed)::int as closed_destinations
                from f
                group by 1, 2, 3
            ), counts as (
                select key, sum(calls)::int as offered, coalesce(sum(calls) filter (where answered), 0)::int as answered,
                       sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
                       sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
                       sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
                       sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
                       sum(messages)::int as messages, sum(fault_reports)::int as fault_reports, sum(bounce_backs)::int as bounce_backs,
                       sum(closed_destinations)::int as closed_destinations
                from g group by key
            ), w as (
                -- Every ended call was either answered or abandoned, so every call's group is a histogram bucket.
                select key, answered, wait_seconds, calls from g
            )
            {Tail}
            """;
    }

    /// <summary>
    /// Whole calendar months inside the period, as [from, to) month starts; empty (from = to) when
    /// there are none or the slice needs days (by day or weekday).
    /// </summary>
    public static (DateOnly From, DateOnly To) WholeMonths(StatisticsPeriod period, string by)
    {
        var first = period.From.Day == 1 ? period.From : new DateOnly(period.From.Year, period.From.Month, 1).AddMonths(1);
        var end = period.To.AddDays(1).Day == 1 ? period.To.AddDays(1) : new DateOnly(period.To.Year, period.To.Month, 1);
        var needsDays = Dimensions.Parts(by).Any(p => p is Dimensions.Day or Dimensions.Weekday);
        return needsDays || end <= first ? (period.From, period.From) : (first, end);
    }

    public static async Task<IReadOnlyList<MetricCounts>> CountsAsync(
        NpgsqlConnection conn, StatisticsPeriod period, string by, string? municipality, ServiceLevelOptions serviceLevel,
        CancellationToken ct, bool forceFacts = false)
    {
        var (sql, args) = Query(period, by, municipality, serviceLevel, forceFacts);
        var rows = await conn.QueryAsync<MetricCounts>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The statement and arguments <see cref="CountsAsync"/> runs (the query-plan tests explain it).</summary>
    public static (string Sql, object Args) Query(
        StatisticsPeriod period, string by, string? municipality, ServiceLevelOptions serviceLevel, bool forceFacts = false)
    {
        var source = forceFacts ? Dimensions.Source.Facts : Dimensions.SourceOf(by);
        var sql = source switch
        {
            Dimensions.Source.Daily => RollupSql.GetOrAdd(by, b => DailyRollupQuery(KeyOf(b, RollupKeys))),
            Dimensions.Source.Slices => RollupSql.GetOrAdd(by, b => SliceRollupQuery(KeyOf(b, RollupKeys))),
            Dimensions.Source.Pairs => RollupSql.GetOrAdd(by, b => SliceRollupQuery(Dimensions.IsReversedPair(b) ? ReversedPairKey : PairKey)),
            _ => FactSql.GetOrAdd(by, FactQuery),
        };
        // The pairs keep daily histograms only (statistics_add.sql).
        var (monthsFrom, monthsTo) = source == Dimensions.Source.Pairs ? (period.From, period.From) : WholeMonths(period, by);
        return (sql, new
        {
            from = period.From, to = period.To, municipality, dimension = Dimensions.SliceDimension(by), monthsFrom, monthsTo,
            target = serviceLevel.TargetSeconds,
            shortAbandon = serviceLevel.ShortAbandonSeconds,
        });
    }

    /// <summary>Per operator: seconds handling calls (with wrap-up) and seconds staffed in the period.</summary>
    public static async Task<IReadOnlyList<OperatorTime>> OperatorTimeAsync(
        NpgsqlConnection conn, StatisticsPeriod period, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            with bounds as (
                select (@from::timestamp at time zone 'Europe/Stockholm') as start_at,
                       least((@to::timestamp + interval '1 day') at time zone 'Europe/Stockholm', @now) as end_at
            ), log as (
                select account_id, status, started_at,
                       coalesce(lead(started_at) over (partition by account_id order by started_at, id), @now) as ended_at
                from operator_status_log, bounds
                where started_at < bounds.end_at
            ), staffed as (
                select account_id,
                       sum(extract(epoch from least(ended_at, bounds.end_at) - greatest(started_at, bounds.start_at)))::float8 as seconds
                from log, bounds
                where status in ('available', 'wrap_up') and ended_at > bounds.start_at and started_at < bounds.end_at
                group by account_id
            ), handled as (
                select operator_id as account_id, sum(handle_sum)::float8 as seconds
                from operator_daily
                where local_date between @from and @to
                group by operator_id
            )
            select coalesce(s.account_id, h.account_id)::text as operator_id, coalesce(h.seconds, 0) as handled_seconds,
                   coalesce(s.seconds, 0) as staffed_seconds
            from staffed s full join handled h on h.account_id = s.account_id
            """;
        var rows = await conn.QueryAsync<OperatorTime>(new CommandDefinition(Sql, new
        {
            from = period.From, to = period.To, now,
        }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Names to show beside keys: municipalities, operators and units.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> LabelsAsync(
        NpgsqlConnection conn, string by, IEnumerable<string> keys, StatisticsPeriod period, CancellationToken ct)
    {
        var list = keys.Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        string? sql = by switch
        {
            Dimensions.Municipality => "select code as key, name as label from municipalities where code = any(@list)",
            Dimensions.Operator => "select id::text as key, display_name as label from accounts where id::text = any(@list)",
            // The name the period's latest call to the unit carried (one index lookup per unit); a unit
            // known only from refusals (closed) by its directory name.
            Dimensions.Unit => """
                select key, (array_agg(label order by rank))[1] as label from (
                    select k.key, n.unit_name as label, 0 as rank
                    from unnest(@list::text[]) k (key),
                         lateral (select unit_name from call_facts
                                  where unit_id = k.key and local_date between @from and @to and unit_name is not null
                                  order by local_date desc limit 1) n
                    union all
                    select id::text, name, 1 from directory_units where id::text = any(@list)
                ) l
                group by key
                """,
            _ => null,
        };
        if (sql is null || list.Length == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var rows = await conn.QueryAsync<(string Key, string Label)>(new CommandDefinition(sql, new { list, from = period.From, to = period.To }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Key, r => r.Label, StringComparer.Ordinal);
    }
}

public sealed record OperatorTime(string OperatorId, double HandledSeconds, double StaffedSeconds);
