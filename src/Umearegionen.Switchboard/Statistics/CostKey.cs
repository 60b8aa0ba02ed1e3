namespace Umearegionen.Switchboard.Statistics;

/// <summary>A served municipality's use of the switchboard in a period.</summary>
public sealed record MunicipalityUse(string Code, string Name, int Population, int Calls, long HandledSeconds);

public sealed record CostShare(
    string MunicipalityCode, string Name, int Population, int Calls, double CallShare, double HandledMinutes,
    double MinuteShare, double KeyShare, decimal KeyAmount, decimal AmountByCalls, decimal AmountByMinutes,
    decimal KeyMinusMinutes);

/// <summary>
/// The fair split: each municipality's share of the work beside its share under the key. Key
/// amount = fixed + per-inhabitant × population; the per-inhabitant amount is configured or, when
/// not, (budget − fixed × n) / total population, so the key amounts add up to the budget. With a
/// configured amount the key's shares are applied to the budget. Pure: no database, no clock.
/// </summary>
public static class CostKey
{
    /// <summary>The per-inhabitant amount, or null with the reason when the budget cannot carry the fixed sums.</summary>
    public static (decimal? PerInhabitant, string? Problem) PerInhabitant(decimal budget, CostKeyOptions key, IReadOnlyList<MunicipalityUse> uses)
    {
        if (key.PerInhabitant is { } configured)
        {
            return (configured, null);
        }

        var fixedTotal = key.FixedPerMunicipality * uses.Count;
        var population = uses.Sum(u => (long)u.Population);
        if (budget < fixedTotal)
        {
            return (null, $"budget must be at least the fixed sums ({fixedTotal:0} SEK = {key.FixedPerMunicipality:0} × {uses.Count} municipalities).");
        }

        if (population == 0)
        {
            return (0m, null);
        }

        return ((budget - fixedTotal) / population, null);
    }

    public static IReadOnlyList<CostShare> Split(decimal budget, decimal fixedPerMunicipality, decimal perInhabitant, IReadOnlyList<MunicipalityUse> uses)
    {
        var keyAmounts = uses.Select(u => fixedPerMunicipality + perInhabitant * u.Population).ToList();
        var keyTotal = keyAmounts.Sum();
        var calls = uses.Sum(u => (long)u.Calls);
        var seconds = uses.Sum(u => u.HandledSeconds);
        return uses.Select((u, i) =>
        {
            var keyShare = keyTotal == 0 ? 0m : keyAmounts[i] / keyTotal;
            var callShare = calls == 0 ? 0m : (decimal)u.Calls / calls;
            var minuteShare = seconds == 0 ? 0m : (decimal)u.HandledSeconds / seconds;
            var keyAmount = Money(budget * keyShare);
            var byMinutes = Money(budget * minuteShare);
            return new CostShare(
                u.Code, u.Name, u.Population, u.Calls, Share(callShare), Math.Round(u.HandledSeconds / 60.0, 1), Share(minuteShare),
                Share(keyShare), keyAmount, Money(budget * callShare), byMinutes, keyAmount - byMinutes);
        }).ToList();
    }

    private static decimal Money(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static double Share(decimal share) => (double)Math.Round(share, 4, MidpointRounding.AwayFromZero);
}
