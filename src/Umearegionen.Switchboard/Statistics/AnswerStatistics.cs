using Umearegionen.Switchboard.Answers;

namespace Umearegionen.Switchboard.Statistics;

/// <summary>The answers' figures for a period (docs/metrics.md, "Answers and first-contact resolution").</summary>
public sealed record AnswerStatistics(
    DateOnly From, DateOnly To, string? Municipality, FirstContactRow Total,
    IReadOnlyList<FirstContactRow> ByMunicipality, IReadOnlyList<FirstContactRow> ByTopic,
    IReadOnlyList<AnswerUse> Answers, IReadOnlyList<UnusedAnswer> Unused, TransferredDespiteAnswers TransferredDespiteAnswers);

/// <summary>
/// First-contact resolution of a group of calls: Answered = calls an operator took; ResolvedBySwitchboard = those
/// the operator settled themselves (outcome answered), WithAnswer of them with an answer; Rate = ResolvedBySwitchboard / Answered.
/// </summary>
public sealed record FirstContactRow(string Key, string Label, int Answered, int ResolvedBySwitchboard, int WithAnswer, double? Rate);

/// <summary>
/// An answer used in the period: calls answered with it, of those the calls in which its link was sent (a link_sent
/// event naming it), and ShareOfAnswered = TimesUsed / all answered calls in scope (its part of first-contact resolution).
/// Removed: the answer has been removed since; Question is then as it read when last used.
/// </summary>
public sealed record AnswerUse(
    Guid AnswerId, string Question, string? MunicipalityCode, bool Removed, int TimesUsed, int WithLinkSent, double? ShareOfAnswered);

public sealed record UnusedAnswer(Guid AnswerId, string Question, string? MunicipalityCode, DateOnly? ValidFrom, DateOnly? ValidTo);

public sealed record TransferredDespiteAnswers(int Count, IReadOnlyList<TransferredTopic> ByTopic);

public sealed record TransferredTopic(string Topic, int Count, IReadOnlyList<TransferredCall> Calls);

/// <summary>A transferred call for which answers existed at the transfer: the answers (ids and questions then) and where it went.</summary>
public sealed record TransferredCall(
    Guid CallId, DateTimeOffset QueuedAt, string? MunicipalityCode, string? UnitName, IReadOnlyList<Guid> AnswerIds, IReadOnlyList<string> Questions);

public static class AnswerStatisticsQueries
{
    // The period's answered calls in scope, by the local day they were offered, as every statistic counts them: from
    // the rollup (call_answer_daily, kept by the flush), or computed from the facts (the tests compare the two).
    private static string Counts(string source) => $"""
        with r as (
            select municipality_code, topic, answer_id, answered, resolved, links_sent, transferred_despite
            from {source}
            where local_date between @from and @to and (@municipality::text is null or municipality_code = @municipality)
        )
        """;

    private const string Rollup = "call_answer_daily";

    private const string Recomputed = "call_answer_daily_recomputed";

    private static string ResolutionSql(string source) => $"""
        {Counts(source)}
        select case when grouping(r.municipality_code) = 0 then 'municipality' else 'topic' end as dimension,
               case when grouping(r.municipality_code) = 0 then r.municipality_code else r.topic end as key,
               (case when grouping(r.municipality_code) = 0 then m.name end) as name,
               sum(r.answered)::int as answered, sum(r.resolved)::int as resolved,
               coalesce(sum(r.resolved) filter (where r.answer_id <> ''), 0)::int as with_answer
        from r left join municipalities m on m.code = r.municipality_code
        group by grouping sets ((r.municipality_code, m.name), (r.topic))
        having sum(r.answered) > 0
        order by 1, 2
        """;

    // A removed answer reads as its question was when it was last used before the period's end.
    private static string AnswersSql(string source) => $"""
        {Counts(source)}
        select u.answer_id::uuid as answer_id,
               coalesce(a.question, (select ca.question from call_answers ca
                                     where ca.answer_id = u.answer_id::uuid and ca.answered_at < @endsAt
                                     order by ca.answered_at desc limit 1)) as question,
               a.municipality_code, a.id is null as removed, u.times_used, u.with_link_sent
        from (select answer_id, sum(resolved)::int as times_used, sum(links_sent)::int as with_link_sent
              from r where answer_id <> '' group by answer_id having sum(resolved) > 0) u
        left join answers a on a.id = u.answer_id::uuid
        order by u.times_used desc, question, u.answer_id::uuid
        """;

    // Valid on some day of the period, written before its end, the scope's own or shared, and used by no call in scope.
    private static string UnusedSql(string source) => $"""
        select a.id as answer_id, a.question, a.municipality_code, a.valid_from, a.valid_to
        from answers a
        where (a.valid_from is null or a.valid_from <= @to) and (a.valid_to is null or a.valid_to >= @from)
          and a.created_at < @endsAt
          and (@municipality::text is null or a.municipality_code is null or a.municipality_code = @municipality)
          and not exists (
              select 1 from {source} r
              where r.answer_id = a.id::text and r.local_date between @from and @to and r.resolved > 0
                and (@municipality::text is null or r.municipality_code = @municipality))
        order by a.municipality_code nulls first, a.question, a.id
        """;

    // The calls themselves: the period's transfers recorded with the answers there were (a list of calls, read per call).
    private const string TransferredSql = """
        select coalesce(f.topic, '') as topic, f.call_id, f.queued_at, f.municipality_code, f.unit_name,
               to_jsonb(t.answer_ids)::text as answer_ids, to_jsonb(t.questions)::text as questions
        from call_facts f join call_transfers_with_answers t on t.call_id = f.call_id
        where f.local_date between @from and @to and (@municipality::text is null or f.municipality_code = @municipality)
          and f.transferred_despite_answers
        order by 1, f.queued_at, f.call_id
        """;

    private static string TransferredCountSql(string source) => $"""
        {Counts(source)}
        select coalesce(sum(transferred_despite), 0)::int from r
        """;

    /// <summary>The answers' figures; <paramref name="fromFacts"/> computes the counts from the facts instead of the rollup (the tests compare the two).</summary>
    public static async Task<AnswerStatistics> BuildAsync(
        NpgsqlConnection conn, StatisticsPeriod period, string? municipality, CancellationToken ct, bool fromFacts = false)
    {
        // Every ended call counts: the due facts are made and rolled up first, as for every statistics read.
        await RollupFlush.FlushAsync(conn, ct);
        var source = fromFacts ? Recomputed : Rollup;
        // Npgsql writes timestamptz from UTC offsets only.
        var endsAt = AnswerStore.NextMidnight(new DateTimeOffset(period.To.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero)).ToUniversalTime();
        var args = new { from = period.From, to = period.To, municipality, endsAt };
        var resolution = (await conn.QueryAsync<ResolutionRow>(new CommandDefinition(ResolutionSql(source), args, cancellationToken: ct))).ToList();
        var byMunicipality = resolution.Where(r => r.Dimension == "municipality")
            .Select(r => Row(r.Key, r.Name ?? (r.Key == "" ? "(unknown dialled number)" : r.Key), r)).ToList();
        var byTopic = resolution.Where(r => r.Dimension == "topic").Select(r => Row(r.Key, r.Key == "" ? "(no menu choice)" : r.Key, r)).ToList();
        var total = Row("", "total", new ResolutionRow("total", "", null,
            byMunicipality.Sum(r => r.Answered), byMunicipality.Sum(r => r.ResolvedBySwitchboard), byMunicipality.Sum(r => r.WithAnswer)));

        var answers = (await conn.QueryAsync<AnswerUseRow>(new CommandDefinition(AnswersSql(source), args, cancellationToken: ct)))
            .Select(a => new AnswerUse(a.AnswerId, a.Question, a.MunicipalityCode, a.Removed, a.TimesUsed, a.WithLinkSent, Share(a.TimesUsed, total.Answered)))
            .ToList();
        var unused = (await conn.QueryAsync<UnusedAnswer>(new CommandDefinition(UnusedSql(source), args, cancellationToken: ct))).ToList();
        var count = await conn.ExecuteScalarAsync<int>(new CommandDefinition(TransferredCountSql(source), args, cancellationToken: ct));
        var transferred = (await conn.QueryAsync<TransferredRow>(new CommandDefinition(TransferredSql, args, cancellationToken: ct))).ToList();
        var byTransferTopic = transferred.GroupBy(t => t.Topic)
            .Select(g => new TransferredTopic(g.Key, g.Count(), g.Select(t => new TransferredCall(
                t.CallId, t.QueuedAt, t.MunicipalityCode, t.UnitName,
                JsonSerializer.Deserialize<Guid[]>(t.AnswerIds) ?? [], JsonSerializer.Deserialize<string[]>(t.Questions) ?? [])).ToList()))
            .ToList();
        return new AnswerStatistics(period.From, period.To, municipality, total, byMunicipality, byTopic, answers, unused,
            new TransferredDespiteAnswers(count, byTransferTopic));
    }

    private static FirstContactRow Row(string key, string label, ResolutionRow r) =>
        new(key, label, r.Answered, r.Resolved, r.WithAnswer, Share(r.Resolved, r.Answered));

    private static double? Share(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private sealed record ResolutionRow(string Dimension, string Key, string? Name, int Answered, int Resolved, int WithAnswer);

    private sealed record AnswerUseRow(Guid AnswerId, string Question, string? MunicipalityCode, bool Removed, int TimesUsed, int WithLinkSent);

    private sealed record TransferredRow(
        string Topic, Guid CallId, DateTimeOffset QueuedAt, string? MunicipalityCode, string? UnitName, string AnswerIds, string Questions);
}
