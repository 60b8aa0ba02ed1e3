namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// Call statistics for managers and the fair split of costs. Managers and administrators see
/// every municipality; an editor sees their own municipality's figures.
/// </summary>
public static class StatisticsApi
{
    public static RouteGroupBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/statistics")
            .RequireAuthorization(StatisticsAccess.Readers)
            .WithTags("Statistics");

        group.MapGet("/summary", GetSummary)
            .WithSummary("Call statistics for a date range, by a slice, with the previous period (format=csv for Excel)");
        group.MapGet("/cost-split", GetCostSplit)
            .WithSummary("Each served municipality's share of the work beside its share under the cost key (format=csv for Excel)");
        group.MapGet("/answers", AnswerStatisticsApi.Get)
            .WithSummary("First-contact resolution by municipality and topic, answers used and never used, calls transferred although an answer existed (format=csv&table=answers|resolution|transferred)");
        return group;
    }

    private static async Task<Results<Ok<Summary>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetSummary(
        string? from, string? to, string? by, string? municipality, string? format, ClaimsPrincipal user,
        Summaries summaries, NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var period = SummaryRequest.Period(from, to, options.Value.MaxRangeDays, errors);
        var dimension = Dimensions.Parse(by, errors);

        var csv = SummaryRequest.WantsCsv(format, errors);
        await CheckMunicipalityAsync(municipality, dataSource, errors, ct);
        if (errors.Any || period is null || dimension is null)
        {
            return errors.ToProblem();
        }

        var (scope, forbidden) = SummaryRequest.Scope(user, municipality);
        if (forbidden)
        {
            return Problems.Forbidden("An editor sees their own municipality's statistics only; leave out municipality or ask for your own.");
        }

        var summary = await summaries.BuildAsync(period.Value, dimension, scope, SummaryRequest.SeesEverything(user), ct);
        return csv ? SummaryCsv.File(summary) : TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<CostSplit>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetCostSplit(
        string? from, string? to, string? budget, string? format, ClaimsPrincipal user, CostSplits splits,
        IOptions<StatisticsOptions> options, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var period = SummaryRequest.Period(from, to, options.Value.MaxRangeDays, errors);
        var amount = Budget(budget, errors);
        var csv = SummaryRequest.WantsCsv(format, errors);
        if (errors.Any || period is null || amount is null)
        {
            return errors.ToProblem();
        }

        var (scope, forbidden) = SummaryRequest.Scope(user, null);
        if (forbidden)
        {
            return Problems.Forbidden("Your account belongs to no municipality, so there are no figures for you to see.");
        }

        var use = await splits.UseAsync(period.Value, ct);
        var uses = use.Municipalities;
        if (uses.FirstOrDefault(u => u.PopulationYear is null) is { } unknown)
        {
            return Problems.Conflict(
                $"{unknown.Name} has no population figure for any year, so the key cannot be applied: an administrator " +
                "enters the year's figures with PUT /api/directory/populations/{year} (docs/directory.md, \"Populations\").");
        }

        var (perInhabitant, problem) = CostKey.PerInhabitant(amount.Value, splits.Key, uses);
        if (perInhabitant is null)
        {
            return Problems.Validation("budget", problem!);
        }

        var (all, total) = CostKey.Split(amount.Value, splits.Key.FixedPerMunicipality, splits.Key.PerInhabitant, uses);
        var shares = all.Where(s => scope is null || s.MunicipalityCode == scope).ToList();
        var (year, referenceDate, fallback) = PopulationYear(uses, period.Value.To);
        var split = new CostSplit(
            period.Value.From, period.Value.To, amount.Value, splits.Key.FixedPerMunicipality,
            perInhabitant.Value, splits.Key.PerInhabitant is null ? "derived" : "configured",
            year, referenceDate, fallback, use.UnattributedCalls, total, shares);
        return csv ? SummaryCsv.File(split) : TypedResults.Ok(split);
    }

    /// <summary>
    /// The year of population figures the split used: the latest year whose reference date is on or
    /// before the period's end, or (fallback) the earliest year when the period ends before every figure.
    /// </summary>
    private static (int? Year, DateOnly? ReferenceDate, bool Fallback) PopulationYear(IReadOnlyList<MunicipalityUse> uses, DateOnly to)
    {
        var dated = uses.Where(u => u.PopulationYear is not null && u.PopulationReferenceDate is not null).ToList();
        var onOrBefore = dated.Where(u => u.PopulationReferenceDate <= to).OrderByDescending(u => u.PopulationYear).FirstOrDefault();
        if (onOrBefore is not null)
        {
            return (onOrBefore.PopulationYear, onOrBefore.PopulationReferenceDate, false);
        }

        var earliest = dated.OrderBy(u => u.PopulationYear).FirstOrDefault();
        return (earliest?.PopulationYear, earliest?.PopulationReferenceDate, earliest is not null);
    }

    private const decimal MaxBudget = 1_000_000_000_000m;

    private static decimal? Budget(string? budget, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(budget))
        {
            errors.Add("budget", "budget is required: the period's cost in SEK, for example 2400000.");
            return null;
        }

        if (!decimal.TryParse(budget.Trim().Replace(',', '.'), System.Globalization.NumberStyles.Number,
                System.Globalization.CultureInfo.InvariantCulture, out var amount))
        {
            errors.Add("budget", $"budget \"{budget}\" is not a number; write it in SEK, for example 2400000 or 2400000.50.");
            return null;
        }

        if (amount < 0)
        {
            errors.Add("budget", "budget must not be negative.");
            return null;
        }

        if (amount.Scale > 2 && amount != Math.Round(amount, 2))
        {
            errors.Add("budget", $"budget \"{budget}\" has more than two decimals; the split is in whole öre, for example 2400000.50.");
            return null;
        }

        if (amount > MaxBudget)
        {
            errors.Add("budget", $"budget must be at most {MaxBudget:0} SEK.");
            return null;
        }

        return Math.Round(amount, 2);
    }

    internal static async Task CheckMunicipalityAsync(string? municipality, NpgsqlDataSource dataSource, FieldErrors errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(municipality))
        {
            return;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var known = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from municipalities where code = @code)", new { code = municipality.Trim() }, cancellationToken: ct));
        if (!known)
        {
            errors.Add("municipality", $"municipality \"{municipality}\" is not a municipality code; use a four-digit code such as 2480 (Umeå).");
        }
    }
}
