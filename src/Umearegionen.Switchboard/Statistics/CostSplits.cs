using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Umearegionen.Switchboard.Statistics;

public sealed record CostSplit(
    DateOnly From, DateOnly To, decimal Budget, decimal FixedPerMunicipality, decimal PerInhabitant,
    string PerInhabitantSource, int UnattributedCalls, IReadOnlyList<CostShare> Municipalities);

/// <summary>Reads the served municipalities' use from the daily rollup and splits the budget.</summary>
public sealed class CostSplits(NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options)
{
    public async Task<IReadOnlyList<MunicipalityUse>> UseAsync(StatisticsPeriod period, CancellationToken ct)
    {
        const string Sql = """
            select m.code, m.name, m.population, coalesce(sum(d.offered), 0)::int as calls,
                   coalesce(sum(d.handle_sum), 0)::bigint as handled_seconds
            from municipalities m
            left join call_daily d on d.municipality_code = m.code and d.local_date between @from and @to
            where m.served_by_switchboard
            group by m.code, m.name, m.population
            order by m.name
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RollupFlush.FlushAsync(conn, ct);
        var rows = await conn.QueryAsync<MunicipalityUse>(new CommandDefinition(Sql, new { from = period.From, to = period.To }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Calls the switchboard handled that no served municipality can be charged for (unknown or unserved numbers).</summary>
    public async Task<int> UnattributedAsync(StatisticsPeriod period, CancellationToken ct)
    {
        const string Sql = """
            select coalesce(sum(d.offered), 0)::int from call_daily d
            where d.local_date between @from and @to
              and not exists (select 1 from municipalities m where m.code = d.municipality_code and m.served_by_switchboard)
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RollupFlush.FlushAsync(conn, ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(Sql, new { from = period.From, to = period.To }, cancellationToken: ct));
    }

    public CostKeyOptions Key => options.Value.CostKey;
}
