using System.Numerics;

namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// A served municipality's use of the switchboard in a period, with the population figure the key
/// uses (its year and reference date; null when the municipality has no yearly figure).
/// </summary>
public sealed record MunicipalityUse(
    string Code, string Name, int Population, int? PopulationYear, DateOnly? PopulationReferenceDate, int Calls, long HandledSeconds);

/// <summary>
/// One municipality's row. Amounts are whole öre and each column adds up to the budget exactly;
/// the *ExtraOre fields say whether the row got one öre more than its amount rounded down (largest
/// remainder). Amounts by calls or minutes are null when the period has no calls (no handled time).
/// </summary>
public sealed record CostShare(
    string MunicipalityCode, string Name, int Population, int? PopulationYear, DateOnly? PopulationReferenceDate,
    int Calls, double CallShare, long HandledSeconds, double HandledMinutes, double MinuteShare, double KeyShare,
    decimal KeyAmount, decimal? AmountByCalls, decimal? AmountByMinutes, decimal? KeyMinusMinutes,
    int KeyExtraOre, int? CallsExtraOre, int? MinutesExtraOre);

/// <summary>The whole split's sums (every served municipality, also when an editor sees only their own row).</summary>
public sealed record CostTotal(
    int Municipalities, long Population, long Calls, long HandledSeconds, decimal KeyAmount, decimal? AmountByCalls,
    decimal? AmountByMinutes);

/// <summary>
/// The fair split: each municipality's share of the work beside its share under the key. Key
/// weight = fixed + per-inhabitant × population; the per-inhabitant amount is configured or, when
/// not, (budget − fixed × n) / total population. Every column (key, calls, minutes) splits the
/// budget in whole öre by the largest-remainder method, so it adds up to the budget exactly.
/// Pure: no database, no clock.
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
            return (null, $"budget must be at least the fixed sums ({fixedTotal:0.##} SEK = {key.FixedPerMunicipality:0.##} × {uses.Count} municipalities).");
        }

        if (population == 0)
        {
            return (0m, null);
        }

        // decimal division: 28–29 significant digits; the exact rate is the fraction itself (docs/metrics.md).
        return ((budget - fixedTotal) / population, null);
    }

    /// <summary>
    /// Splits the budget (whole öre) over the municipalities. With a derived per-inhabitant amount
    /// (configuredPerInhabitant null) the key weight of a municipality is fixed × P + (budget − fixed × n) × population
    /// (its exact key amount times P, the total population), so no rounded rate enters the split.
    /// </summary>
    public static (IReadOnlyList<CostShare> Shares, CostTotal Total) Split(
        decimal budget, decimal fixedPerMunicipality, decimal? configuredPerInhabitant, IReadOnlyList<MunicipalityUse> uses)
    {
        var budgetOre = Ore(budget);
        var codes = uses.Select(u => u.Code).ToList();
        var keyWeights = KeyWeights(budget, fixedPerMunicipality, configuredPerInhabitant, uses);
        if (keyWeights.All(w => w.IsZero))
        {
            // No inhabitants and no fixed sum: the key says nothing, so the budget is split equally.
            keyWeights = uses.Select(_ => BigInteger.One).ToList();
        }

        var key = Apportion(budgetOre, keyWeights, codes)!;
        var byCalls = Apportion(budgetOre, uses.Select(u => new BigInteger(u.Calls)).ToList(), codes);
        var byMinutes = Apportion(budgetOre, uses.Select(u => new BigInteger(u.HandledSeconds)).ToList(), codes);

        var keyTotal = keyWeights.Aggregate(BigInteger.Zero, (a, b) => a + b);
        var calls = uses.Sum(u => (long)u.Calls);
        var seconds = uses.Sum(u => u.HandledSeconds);
        var shares = uses.Select((u, i) =>
        {
            var keyAmount = key.Amounts[i] / 100m;
            decimal? callsAmount = byCalls is null ? null : byCalls.Amounts[i] / 100m;
            decimal? minutesAmount = byMinutes is null ? null : byMinutes.Amounts[i] / 100m;
            return new CostShare(
                u.Code, u.Name, u.Population, u.PopulationYear, u.PopulationReferenceDate, u.Calls,
                Share(calls == 0 ? 0 : (double)u.Calls / calls), u.HandledSeconds, Math.Round(u.HandledSeconds / 60.0, 1),
                Share(seconds == 0 ? 0 : (double)u.HandledSeconds / seconds),
                Share(keyTotal.IsZero ? 0 : (double)keyWeights[i] / (double)keyTotal),
                keyAmount, callsAmount, minutesAmount, keyAmount - minutesAmount,
                key.Extra[i], byCalls?.Extra[i], byMinutes?.Extra[i]);
        }).ToList();
        var total = new CostTotal(
            uses.Count, uses.Sum(u => (long)u.Population), calls, seconds, key.Amounts.Sum() / 100m,
            byCalls is null ? null : byCalls.Amounts.Sum() / 100m, byMinutes is null ? null : byMinutes.Amounts.Sum() / 100m);
        return (shares, total);
    }

    /// <summary>The amounts in öre, and for each whether it got the extra öre (0 or 1).</summary>
    public sealed record Apportionment(long[] Amounts, int[] Extra);

    /// <summary>
    /// The largest-remainder method (Hamilton): each gets totalOre × weight / Σ weights rounded down to
    /// whole öre; the öre left over (fewer than the number of municipalities) go one each to the largest
    /// remainders; equal remainders go to the lower municipality code first (ordinal), so the result does
    /// not depend on the order of the list. Exact integer arithmetic. Null when every weight is zero.
    /// </summary>
    public static Apportionment? Apportion(long totalOre, IReadOnlyList<BigInteger> weights, IReadOnlyList<string> codes)
    {
        if (weights.Any(w => w.Sign < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(weights), "weights must not be negative");
        }

        var sum = weights.Aggregate(BigInteger.Zero, (a, b) => a + b);
        if (sum.IsZero)
        {
            return null;
        }

        var amounts = new long[weights.Count];
        var remainders = new BigInteger[weights.Count];
        for (var i = 0; i < weights.Count; i++)
        {
            var quotient = BigInteger.DivRem(totalOre * weights[i], sum, out remainders[i]);
            amounts[i] = (long)quotient;
        }

        var left = totalOre - amounts.Sum();
        var extra = new int[weights.Count];
        var order = Enumerable.Range(0, weights.Count)
            .OrderByDescending(i => remainders[i])
            .ThenBy(i => codes[i], StringComparer.Ordinal);
        foreach (var i in order.Take((int)left))
        {
            amounts[i]++;
            extra[i] = 1;
        }

        return new Apportionment(amounts, extra);
    }

    /// <summary>The budget in whole öre; the API refuses budgets with more than two decimals.</summary>
    public static long Ore(decimal budget) => decimal.ToInt64(budget * 100m);

    // Integer weights proportional to each municipality's exact key amount.
    private static List<BigInteger> KeyWeights(
        decimal budget, decimal fixedPerMunicipality, decimal? configuredPerInhabitant, IReadOnlyList<MunicipalityUse> uses)
    {
        if (configuredPerInhabitant is { } rate)
        {
            var scale = Math.Max(fixedPerMunicipality.Scale, rate.Scale);
            var f = Scaled(fixedPerMunicipality, scale);
            var r = Scaled(rate, scale);
            return uses.Select(u => f + r * u.Population).ToList();
        }

        var s = Math.Max(fixedPerMunicipality.Scale, budget.Scale);
        var fixedScaled = Scaled(fixedPerMunicipality, s);
        var rest = Scaled(budget, s) - fixedScaled * uses.Count;
        var population = new BigInteger(uses.Sum(u => (long)u.Population));
        return uses.Select(u => fixedScaled * population + rest * u.Population).ToList();
    }

    // value × 10^scale as an integer (scale at least the value's own number of decimals).
    private static BigInteger Scaled(decimal value, int scale)
    {
        var bits = decimal.GetBits(value);
        var mantissa = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        if (value < 0)
        {
            mantissa = -mantissa;
        }

        return mantissa * BigInteger.Pow(10, scale - value.Scale);
    }

    private static double Share(double share) => Math.Round(share, 4, MidpointRounding.AwayFromZero);
}
