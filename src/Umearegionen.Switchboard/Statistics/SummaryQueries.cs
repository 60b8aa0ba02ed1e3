using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// The summary SQL. Totals, municipality, day and month read the daily rollup; the other slices
/// read the per-call facts. Both produce the same counts and the same wait histogram, and the
/// same tail turns them into figures, so a slice never depends on which table answered it.
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
    };

    private const string PeriodFilter = """
        local_date between @from and @to and (@municipality::text is null or municipality_code = @municipality)
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
               fault_reports, bounce_backs
        from counts
        left join waits on waits.key = counts.key
        left join p90 on p90.key = counts.key
        order by counts.key
        """;

    private static readonly ConcurrentDictionary<string, string> RollupSql = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, string> FactSql = new(StringComparer.Ordinal);

    // The key of a row: one dimension's key, or two joined with '|'.
    private static string KeyOf(string by) => string.Join(" || '|' || ", Dimensions.Parts(by).Select(p => FactKeys[p]));

    private static string RollupQuery(string key) => $"""
            with counts as (
                select {key} as key, sum(offered)::int as offered, sum(answered)::int as answered,
                       sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
                       sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
                       sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
                       sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
                       sum(messages)::int as messages, sum(fault_reports)::int as fault_reports,
                       sum(bounce_backs)::int as bounce_backs
                from call_daily where {PeriodFilter}
                group by 1
            ), w as (
                select {key} as key, answered, wait_seconds, sum(calls)::bigint as calls
                from call_daily_waits where {PeriodFilter}
                group by 1, 2, 3
            )
            {Tail}
            """;

    // One pass over the facts, grouped by key and wait: the counts and the histogram both come from it.
    private static string FactQuery(string key) => $"""
        with g as (
            select {key} as key, answered, least(wait_seconds, 3600) as wait_seconds, count(*)::bigint as calls,
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
                   count(*) filter (where bounced_back)::int as bounce_backs
            from call_facts where {PeriodFilter}
            group by 1, 2, 3
        ), counts as (
            select key, sum(calls)::int as offered, coalesce(sum(calls) filter (where answered), 0)::int as answered,
                   sum(abandoned)::int as abandoned, sum(answered_wait_sum)::bigint as answered_wait_sum,
                   sum(handle_sum)::bigint as handle_sum, sum(answered_direct)::int as answered_direct,
                   sum(transferred)::int as transferred, sum(callbacks)::int as callbacks,
                   sum(callbacks_kept)::int as callbacks_kept, sum(callbacks_missed)::int as callbacks_missed,
                   sum(messages)::int as messages, sum(fault_reports)::int as fault_reports, sum(bounce_backs)::int as bounce_backs
            from g group by key
        ), w as (
            -- Every ended call was either answered or abandoned, so every group is a histogram bucket.
            select key, answered, wait_seconds, calls from g
        )
        {Tail}
        """;

    public static async Task<IReadOnlyList<MetricCounts>> CountsAsync(
        NpgsqlConnection conn, StatisticsPeriod period, string by, string? municipality, StatisticsOptions options,
        CancellationToken ct, bool forceFacts = false)
    {
        var sql = !forceFacts && Dimensions.FromRollup(by)
            ? RollupSql.GetOrAdd(by, b => RollupQuery(KeyOf(b)))
            : FactSql.GetOrAdd(by, b => FactQuery(KeyOf(b)));
        var rows = await conn.QueryAsync<MetricCounts>(new CommandDefinition(sql, new
        {
            from = period.From, to = period.To, municipality,
            target = (int)options.ServiceLevelTarget.TotalSeconds,
            shortAbandon = (int)options.ShortAbandon.TotalSeconds,
        }, cancellationToken: ct));
        return rows.AsList();
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
            Dimensions.Unit => """
                select unit_id as key, max(unit_name) as label from call_facts
                where local_date between @from and @to and unit_id = any(@list) group by unit_id
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
