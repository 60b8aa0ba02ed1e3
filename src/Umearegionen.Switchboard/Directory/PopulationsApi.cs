namespace Umearegionen.Switchboard.Directory;

public sealed record PopulationFigure(string MunicipalityCode, string Name, int Population);

/// <summary>One year's figures, as the source published them (reference date: 31 December or 1 November).</summary>
public sealed record PopulationYear(
    int Year, DateOnly ReferenceDate, string Source, bool Seed, DateTimeOffset UpdatedAt, IReadOnlyList<PopulationFigure> Municipalities);

public sealed record PopulationFigureChange(string? MunicipalityCode, int? Population);

public sealed record PopulationYearChange(string? ReferenceDate, string? Source, IReadOnlyList<PopulationFigureChange?>? Municipalities);

/// <summary>
/// Populations per municipality and year for the cost key's per-inhabitant part (municipality_populations, 0100_directory.sql).
/// Everyone signed in reads them (SCB's figures are public); administrators put a year's figures,
/// which replace that year's and are audited (entity "municipality_population", id the year).
/// </summary>
public static class Populations
{
    public const string EntityType = "municipality_population";

    public static RouteGroupBuilder MapPopulations(this IEndpointRouteBuilder directory)
    {
        var group = directory.MapGroup("/populations");
        group.MapGet("/", List).WithSummary("Every year's population figures per municipality, latest year first.");
        group.MapPut("/{year}", Put).RequireAuthorization(Policies.Administrators).WithSummary(
            "Administrators: a year's population figures with the source's reference date; replaces the year's figures.");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<PopulationYear>>> List(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await ReadAsync(conn, null, null, ct));
    }

    private static async Task<Results<Ok<PopulationYear>, ValidationProblem>> Put(
        string year, PopulationYearChange change, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        int? theYear = int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1900 and <= 2100 ? y : null;
        if (theYear is null)
        {
            errors.Add("year", $"year \"{year}\" is not a year between 1900 and 2100, for example 2024.");
        }

        DateOnly? referenceDate = null;
        if (string.IsNullOrWhiteSpace(change.ReferenceDate))
        {
            errors.Add("referenceDate", "referenceDate is required: the date the figures describe, for example 2024-12-31 (SCB's year-end figures) or 2024-11-01.");
        }
        else if (!DateOnly.TryParseExact(change.ReferenceDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add("referenceDate", $"referenceDate \"{change.ReferenceDate}\" is not a date; write it as yyyy-MM-dd, for example 2024-12-31.");
        }
        else if (theYear is not null && date.Year != theYear)
        {
            errors.Add("referenceDate", $"referenceDate {date:yyyy-MM-dd} is not in {theYear}: a year's figures describe a date in that year.");
        }
        else
        {
            referenceDate = date;
        }

        errors.Required("source", change.Source, 300);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var municipalities = (await conn.QueryAsync<(string Code, string Name, bool Served)>(new CommandDefinition(
            "select code, name, served_by_switchboard from municipalities order by code", cancellationToken: ct))).ToDictionary(m => m.Code);
        var figures = CheckFigures(change.Municipalities, municipalities, errors);
        if (errors.Any || theYear is null || referenceDate is null)
        {
            return errors.ToProblem();
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        // Puts of the same year take turns, so the audit's before is the figures each one replaced.
        await conn.ExecuteAsync(new CommandDefinition(
            "select pg_advisory_xact_lock(hashtext('municipality_populations'), @year)", new { year = theYear }, tx, cancellationToken: ct));
        var before = (await ReadAsync(conn, tx, theYear, ct)).SingleOrDefault();
        var now = time.GetUtcNow();
        const string Sql = """
            delete from municipality_populations where year = @year and municipality_code <> all (@codes);
            insert into municipality_populations (municipality_code, year, population, reference_date, source, seed, updated_at)
            select code, @year, population, @referenceDate, @source, false, @now
            from unnest(@codes, @populations) f (code, population)
            on conflict (municipality_code, year) do update set
                population = excluded.population, reference_date = excluded.reference_date, source = excluded.source,
                seed = false, updated_at = excluded.updated_at;
            """;
        await conn.ExecuteAsync(new CommandDefinition(Sql, new
        {
            year = theYear, codes = figures.Select(f => f.Code).ToArray(), populations = figures.Select(f => f.Population).ToArray(),
            referenceDate, source = change.Source!.Trim(), now,
        }, tx, cancellationToken: ct));
        var after = (await ReadAsync(conn, tx, theYear, ct)).Single();
        await Audit.RecordAsync(conn, tx, user.Actor(), now, EntityType, theYear.Value.ToString(CultureInfo.InvariantCulture), null,
            before is null ? "created" : "updated", before, after);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(after);
    }

    // Every served municipality once, each a known code with a population in range.
    private static List<(string Code, int Population)> CheckFigures(
        IReadOnlyList<PopulationFigureChange?>? figures, Dictionary<string, (string Code, string Name, bool Served)> municipalities, FieldErrors errors)
    {
        var result = new List<(string Code, int Population)>();
        if (figures is null || figures.Count == 0)
        {
            errors.Add("municipalities", "municipalities is required: one { municipalityCode, population } per municipality the switchboard serves.");
            return result;
        }

        for (var i = 0; i < figures.Count; i++)
        {
            var field = $"municipalities[{i}]";
            var figure = figures[i];
            var code = figure?.MunicipalityCode?.Trim();
            if (code is null || !municipalities.ContainsKey(code))
            {
                errors.Add($"{field}.municipalityCode", $"\"{code}\" is not a municipality code; use a four-digit code such as 2480 (Umeå).");
            }
            else if (result.Any(r => r.Code == code))
            {
                errors.Add($"{field}.municipalityCode", $"{municipalities[code].Name} ({code}) is given twice.");
            }

            if (figure?.Population is not (>= 0 and <= 10_000_000))
            {
                errors.Add($"{field}.population", "population is required, a whole number between 0 and 10,000,000.");
            }

            if (code is not null && municipalities.ContainsKey(code) && figure?.Population is { } population)
            {
                result.Add((code, population));
            }
        }

        var missing = municipalities.Values.Where(m => m.Served && result.All(r => r.Code != m.Code)).Select(m => $"{m.Name} ({m.Code})").ToList();
        if (missing.Count > 0)
        {
            errors.Add("municipalities", $"every municipality the switchboard serves needs a figure; missing: {string.Join(", ", missing)}.");
        }

        return result;
    }

    private static async Task<IReadOnlyList<PopulationYear>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, int? year, CancellationToken ct)
    {
        const string Sql = """
            select p.year, p.reference_date, p.source, p.seed, p.updated_at, p.municipality_code, m.name, p.population
            from municipality_populations p join municipalities m on m.code = p.municipality_code
            where @year::int is null or p.year = @year
            order by p.year desc, m.name
            """;
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(Sql, new { year }, tx, cancellationToken: ct));
        return rows.GroupBy(r => r.Year).Select(g =>
        {
            var first = g.OrderByDescending(r => r.UpdatedAt).First();
            return new PopulationYear(g.Key, DateOnly.FromDateTime(first.ReferenceDate), first.Source, g.Any(r => r.Seed), first.UpdatedAt,
                g.Select(r => new PopulationFigure(r.MunicipalityCode, r.Name, r.Population)).ToList());
        }).ToList();
    }

    private sealed class Row
    {
        public int Year { get; init; }
        public DateTime ReferenceDate { get; init; }
        public string Source { get; init; } = "";
        public bool Seed { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string MunicipalityCode { get; init; } = "";
        public string Name { get; init; } = "";
        public int Population { get; init; }
    }
}
