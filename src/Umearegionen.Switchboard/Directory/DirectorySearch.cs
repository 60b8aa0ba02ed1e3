using NpgsqlTypes;

namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// One search hit. Kind: "unit" | "person" | "topic" | "e-service" | "answer". Phone and Email are the
/// person's for a person and the unit's otherwise; Referral is set only while a person is away. An
/// answer (docs/answers.md) has its question as Title and the text to read out as Detail; its unit is
/// the first unit it links to (none: UnitId and UnitName null), and a shared answer has no municipality.
/// An e-service's Steps are its step-by-step guidance to read to a caller, null when it has none.
/// </summary>
public sealed record SearchHit(
    string Kind, Guid Id, string Title, string? Detail, string? Url, Guid? UnitId, string? UnitName,
    string? MunicipalityCode, string? MunicipalityName, string? Phone, string? Email, Referral? Referral,
    string OpenStatus, DateTimeOffset? OpenStatusUntil, WhenClosed WhenClosed, double Score,
    IReadOnlyList<string>? Steps = null);

/// <summary>
/// The operators' search over units, people, topics and e-services of the served municipalities:
/// Swedish full-text matching for word forms ("bygglovet" → bygglov), and for typos and å/ä/ö
/// typed as a/a/o ("bygglof", "snorojning", "vannas") trigram similarity of each accent-free query
/// word against the directory's vocabulary (directory_words); one indexed statement over
/// directory_search. Design and measurements: docs/directory.md, docs/performance.md.
/// </summary>
public static class DirectorySearch
{
    public const int MaxQueryLength = 200;
    public const int MaxLimit = 100;

    public static async Task<IReadOnlyList<SearchHit>> SearchAsync(
        NpgsqlConnection conn, string query, string? municipality, int limit, DateTimeOffset now, CancellationToken ct)
    {
        // Answers are found only on the days they are valid (Europe/Stockholm); other rows have no dates.
        // 1. q: the query as a Swedish tsquery (word forms) and as accent-free lower-case text.
        // 2. fixes: for each query word, the directory's words it may mean: itself, words it begins, and
        //    misspellings (trigram similarity), and the synonyms whose word it may be (scoped to the
        //    synonym's municipality, null for shared ones), keeping only those close to the best candidate.
        // 3. typo: those as tsqueries, (alternatives of word 1) & (alternatives of word 2) ...: one without
        //    municipal synonyms (scope null) and one for each municipality whose synonyms matched.
        // 4. matched: rows matching the tsqueries in served municipalities (bounded, see below).
        // 5. candidates: those ranked cheaply (word-form or synonym match, the text itself, kind); the best
        //    200 are then ranked by full-text rank and word similarity to the whole query, which are
        //    dearer, and a local branch's copy of a topic or e-service its parent unit (or any unit above)
        //    also carries ranks below that unit's (owners); the best @limit are returned.
        const string Sql = """
            with recursive q as (
                select to_tsquery('swedish', @tsQuery) as tsq, directory_norm(@query) as qn
            ), qw as (
                select distinct w from q, regexp_split_to_table(q.qn, '[^[:alnum:]]+') as w where w <> ''
            ), fixes as (
                select f.qword, f.alt, f.scope, f.sim, max(f.sim) over (partition by f.qword) as best
                from (
                    select qw.w as qword, quote_literal(d.word) as alt, null::text as scope, d.sim
                    from qw cross join lateral (
                        select dw.word, case when dw.word = qw.w then 1.0 else similarity(dw.word, qw.w) end as sim
                        from directory_words dw
                        where dw.word % qw.w or (length(qw.w) >= 3 and dw.word like qw.w || '%')
                        order by 2 desc
                        limit 12
                    ) d
                    union all
                    select qw.w, '(' || sy.means_query || ')', sy.municipality_code,
                           case when sy.word_norm = qw.w then 1.0 else similarity(sy.word_norm, qw.w) end
                    from qw join directory_synonyms sy on sy.word_norm % qw.w or sy.word_norm = qw.w
                    where @municipality::text is null or sy.municipality_code is null or sy.municipality_code = @municipality
                ) f
            ), kept as (
                select qword, alt, scope from fixes where sim >= greatest(0.4, best - 0.1)
            ), typo as (
                select sc.scope,
                       (select case when count(*) = (select count(*) from qw) then string_agg(a.alts, ' & ')::tsquery end
                        from (select '(' || string_agg(k.alt, ' | ') || ')' as alts
                              from kept k where k.scope is null or k.scope = sc.scope
                              group by k.qword) a) as tq
                from (select null::text as scope union select distinct scope from kept where scope is not null) sc
            ), base as (
                select tq from typo where scope is null
            ), matched as (
                -- At most 500 people and 500 other rows, in storage order: only a very common word
                -- ("hemtjänst" in every home-care group) matches more, and then the rows are alike.
                (select s.id, false as via_synonym from directory_search s, q, base
                 where s.kind <> 'person' and (s.tsv @@ q.tsq or s.words @@ base.tq)
                   and (@municipality::text is null or s.municipality_code = @municipality or s.municipality_code is null)
                   and (s.municipality_code is null or s.municipality_code in (select code from municipalities where served_by_switchboard))
                   and (s.valid_from is null or s.valid_from <= @today) and (s.valid_to is null or s.valid_to >= @today)
                 limit 500)
                union all
                (select s.id, false from directory_search s, q, base
                 where s.kind = 'person' and (s.tsv @@ q.tsq or s.words @@ base.tq)
                   and (@municipality::text is null or s.municipality_code = @municipality)
                   and s.municipality_code in (select code from municipalities where served_by_switchboard)
                 limit 500)
                union all
                -- A municipality's synonyms find only that municipality's rows.
                (select s.id, true from typo t join directory_search s on s.words @@ t.tq and s.municipality_code = t.scope
                 where t.scope is not null
                   and t.scope in (select code from municipalities where served_by_switchboard)
                   and (s.valid_from is null or s.valid_from <= @today) and (s.valid_to is null or s.valid_to >= @today)
                 limit 500)
            ), candidates as (
                select s.id, s.kind, s.entity_id, s.unit_id, s.municipality_code, s.title, s.detail, s.norm, s.tsv,
                       case when s.tsv @@ q.tsq or m.via_synonym then 0.5 else 0 end
                       + case when s.norm = q.qn then 0.5 when s.norm like q.qn || '%' then 0.3
                              when strpos(s.norm, q.qn) > 0 then 0.2 else 0 end
                       + case s.kind when 'topic' then 0.1 when 'answer' then 0.1 when 'unit' then 0.05 else 0 end as cheap
                from (select id, bool_and(via_synonym) as via_synonym from matched group by id) m
                join directory_search s on s.id = m.id
                cross join q
                order by cheap desc
                limit 200
            ), up as (
                -- The units above each topic and e-service candidate, nearest first.
                select c.id, c.kind, c.norm, u.parent_id as ancestor, 1 as depth
                from candidates c join directory_units u on u.id = c.unit_id
                where c.kind in ('topic', 'e-service') and u.parent_id is not null
                union all
                select up.id, up.kind, up.norm, u.parent_id, up.depth + 1
                from up join directory_units u on u.id = up.ancestor
                where u.parent_id is not null and up.depth < 20
            ), branches as (
                select distinct up.id
                from up join directory_units a on a.id = up.ancestor
                where (up.kind = 'topic' and exists (select 1 from unnest(a.topics) t where directory_norm(t) = up.norm))
                   or (up.kind = 'e-service' and exists (select 1 from jsonb_array_elements(a.e_services) e
                                                         where directory_norm(e ->> 'name') = up.norm))
            ), hits as (
                select c.kind, c.entity_id, c.unit_id, c.municipality_code, c.title, c.detail,
                       (c.cheap + ts_rank(c.tsv, q.tsq) + word_similarity(q.qn, c.norm)
                        - case when c.id in (select id from branches) then 0.5 else 0 end)::float8 as score
                from candidates c cross join q
                order by score desc, c.title, c.municipality_code
                limit @limit
            )
            select h.kind, h.entity_id, h.title, h.detail, h.unit_id, u.name as unit_name, h.municipality_code,
                   m.name as municipality_name, coalesce(p.phone, u.phone) as phone,
                   case when h.kind = 'person' then p.email else u.email end as email,
                   p.referral_until, p.referral_reason, p.referral_to, p.referral_phone,
                   coalesce(u.when_closed_kind, 'none') as when_closed_kind, u.when_closed_phone, u.when_closed_url, u.when_closed_text, h.score,
                   case when h.kind = 'e-service' then
                       (select (e -> 'steps')::text from jsonb_array_elements(u.e_services) e
                        where e ->> 'name' = h.title and e ->> 'url' = h.detail limit 1) end as steps
            from hits h
            left join directory_units u on u.id = h.unit_id
            left join municipalities m on m.code = h.municipality_code
            left join directory_people p on h.kind = 'person' and p.id = h.entity_id
            order by h.score desc, h.title, m.name
            """;
        await using var command = new NpgsqlCommand(Sql, conn);
        command.Parameters.Add(new NpgsqlParameter<string>("query", NpgsqlDbType.Text) { TypedValue = query });
        command.Parameters.Add(new NpgsqlParameter<string>("tsQuery", NpgsqlDbType.Text) { TypedValue = TsQuery(query) });
        command.Parameters.Add(new NpgsqlParameter("municipality", NpgsqlDbType.Text) { Value = (object?)municipality ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<DateOnly>("today", NpgsqlDbType.Date) { TypedValue = Answers.AnswerStore.Today(now) });
        // The operators' hottest query: prepared once per physical connection (Npgsql keeps it across
        // pooled opens), because planning it costs about as much as running it.
        await command.PrepareAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var parse = reader.GetRowParser<HitRow>();
        var hits = new List<SearchHit>();
        while (await reader.ReadAsync(ct))
        {
            hits.Add(parse(reader).ToHit(now));
        }

        return hits;
    }

    // Swedish definite and plural endings the snowball stemmer leaves on ("bygglovet", "snöröjningen", "förskolorna").
    private static readonly string[] Endings = ["arna", "erna", "orna", "ets", "ens", "et", "en", "na", "n", "t", "s"];

    /// <summary>
    /// The words of the query as a tsquery, each word as a prefix or any of its forms without a
    /// Swedish ending ("bygglovet" → "bygglovet:* | bygglov"), words joined with AND. Only letters and
    /// digits reach it, so user input cannot break the query syntax.
    /// </summary>
    public static string TsQuery(string query)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in query.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                words.Add(Forms(word.ToString()));
                word.Clear();
            }
        }

        return string.Join(" & ", words);
    }

    private static string Forms(string word)
    {
        if (word.Length < 3)
        {
            return word;
        }

        var forms = new List<string> { word + ":*" };
        forms.AddRange(Endings.Where(e => word.Length - e.Length >= 4 && word.EndsWith(e, StringComparison.Ordinal))
            .Select(e => word[..^e.Length]).Distinct());
        return forms.Count == 1 ? forms[0] : "(" + string.Join(" | ", forms) + ")";
    }

    private sealed record HitRow(
        string Kind, Guid EntityId, string Title, string? Detail, Guid? UnitId, string? UnitName, string? MunicipalityCode,
        string? MunicipalityName, string? Phone, string? Email, DateTimeOffset? ReferralUntil, string? ReferralReason,
        string? ReferralTo, string? ReferralPhone, string WhenClosedKind, string? WhenClosedPhone, string? WhenClosedUrl,
        string? WhenClosedText, double Score, string? Steps)
    {
        public SearchHit ToHit(DateTimeOffset now) => new(
            Kind, EntityId, Title,
            Kind == "e-service" ? null : Detail,
            Kind == "e-service" ? Detail : null,
            UnitId, UnitName, MunicipalityCode, MunicipalityName, Phone, Email,
            ReferralUntil > now ? new Referral(ReferralUntil, ReferralReason, ReferralTo, ReferralPhone) : null,
            OpenNow.Unknown.Status, null,
            new WhenClosed(WhenClosedKind, WhenClosedPhone, WhenClosedUrl, WhenClosedText), Math.Round(Score, 3),
            Steps is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(Steps));
    }
}
