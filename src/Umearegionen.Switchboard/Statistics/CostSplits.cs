namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// The split of a period's budget. PopulationYear/PopulationReferenceDate: the year of population
/// figures the split used (the latest whose reference date is on or before the period's end);
/// PopulationFallback is true when no municipality had such a year and the earliest figures were used.
/// </summary>
public sealed record CostSplit(
    DateOnly From, DateOnly To, decimal Budget, decimal FixedPerMunicipality, decimal PerInhabitant,
    string PerInhabitantSource, int? PopulationYear, DateOnly? PopulationReferenceDate, bool PopulationFallback,
    int UnattributedCalls, CostTotal Total, IReadOnlyList<CostShare> Municipalities);

public sealed record PeriodUse(IReadOnlyList<MunicipalityUse> Municipalities, int UnattributedCalls);

/// <summary>Reads the served municipalities' use from the daily rollup and splits the budget.</summary>
public sealed class CostSplits(NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options)
{
    /// <summary>
    /// Each served municipality's use of the period, and the calls no served municipality can be charged
    /// for (unknown or unserved numbers): one flush of ended calls, one round trip.
    /// </summary>
    public async Task<PeriodUse> UseAsync(StatisticsPeriod period, CancellationToken ct)
    {
        // The population figure of each municipality: its latest year whose reference date is on or
        // before the period's end, else its earliest year (a period before every figure); none (null year)
        // when the municipality has no yearly figure at all, which the split refuses.
        const string Sql = """
            select m.code, m.name, coalesce(p.population, 0) as population, p.year as population_year,
                   p.reference_date as population_reference_date, coalesce(d.calls, 0)::int as calls,
                   coalesce(d.handled_seconds, 0)::bigint as handled_seconds
            from municipalities m
            left join lateral (
                select mp.population, mp.year, mp.reference_date from municipality_populations mp
                where mp.municipality_code = m.code
                order by mp.reference_date <= @to desc, case when mp.reference_date <= @to then -mp.year else mp.year end
                limit 1
            ) p on true
            left join (
                select municipality_code, sum(offered) as calls, sum(handle_sum) as handled_seconds
                from call_daily where local_date between @from and @to
                group by municipality_code
            ) d on d.municipality_code = m.code
            where m.served_by_switchboard
            order by m.name;

            select coalesce(sum(d.offered), 0)::int from call_daily d
            where d.local_date between @from and @to
              and not exists (select 1 from municipalities m where m.code = d.municipality_code and m.served_by_switchboard);
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RollupFlush.FlushAsync(conn, ct);
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { from = period.From, to = period.To }, cancellationToken: ct));
        var municipalities = (await read.ReadAsync<UseRow>())
            .Select(r => new MunicipalityUse(r.Code, r.Name, r.Population, r.PopulationYear,
                r.PopulationReferenceDate is { } d ? DateOnly.FromDateTime(d) : null, r.Calls, r.HandledSeconds))
            .ToList();
        return new PeriodUse(municipalities, await read.ReadSingleAsync<int>());
    }

    private sealed class UseRow
    {
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public int Population { get; init; }
        public int? PopulationYear { get; init; }
        public DateTime? PopulationReferenceDate { get; init; }
        public int Calls { get; init; }
        public long HandledSeconds { get; init; }
    }

    public CostKeyOptions Key => options.Value.CostKey;
}
