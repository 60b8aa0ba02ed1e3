using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Umearegionen.Switchboard.Statistics;

public sealed record CostSplit(
    DateOnly From, DateOnly To, decimal Budget, decimal FixedPerMunicipality, decimal PerInhabitant,
    string PerInhabitantSource, int UnattributedCalls, IReadOnlyList<CostShare> Municipalities);

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
        const string Sql = """
            select m.code, m.name, m.population, coalesce(sum(d.offered), 0)::int as calls,
                   coalesce(sum(d.handle_sum), 0)::bigint as handled_seconds
            from municipalities m
            left join call_daily d on d.municipality_code = m.code and d.local_date between @from and @to
            where m.served_by_switchboard
            group by m.code, m.name, m.population
            order by m.name;

            select coalesce(sum(d.offered), 0)::int from call_daily d
            where d.local_date between @from and @to
              and not exists (select 1 from municipalities m where m.code = d.municipality_code and m.served_by_switchboard);
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RollupFlush.FlushAsync(conn, ct);
        await using var read = await conn.QueryMultipleAsync(new CommandDefinition(Sql, new { from = period.From, to = period.To }, cancellationToken: ct));
        var municipalities = (await read.ReadAsync<MunicipalityUse>()).AsList();
        return new PeriodUse(municipalities, await read.ReadSingleAsync<int>());
    }

    public CostKeyOptions Key => options.Value.CostKey;
}
