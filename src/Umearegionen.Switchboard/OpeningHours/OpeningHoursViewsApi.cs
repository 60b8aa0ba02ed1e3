namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>Whether a unit (or the switchboard) is open at an instant, and what to offer the caller now.</summary>
/// <param name="Status">"open", "closed", or "unknown" when no hours are stored.</param>
/// <param name="ClosesAt">When open: the end of the open period (null when it does not close within 400 days).</param>
/// <param name="OpensAt">When closed: the next opening (null when none within 400 days).</param>
/// <param name="ClosesSoon">Open, but closing within OpeningHours:ClosingSoonWarning: warn before transferring.</param>
/// <param name="Reason">Why the day deviates from the week, e.g. "Midsommarafton" or "Sommartider".</param>
/// <param name="WhenClosed">When closed: what the caller should be offered now (from the directory unit).</param>
public sealed record OpeningStatus(
    string Id, string Name, DateTimeOffset At, string Status,
    DateTimeOffset? ClosesAt, DateTimeOffset? OpensAt, bool ClosesSoon, string? Reason, ClosedAction? WhenClosed);

public sealed record YearCalendar(int Year, IReadOnlyList<CalendarDay> Days);

/// <summary>Status, day and week views of a unit's hours, and the Swedish calendar.</summary>
public static class OpeningHoursViewsApi
{
    public static void MapOpeningHoursViews(RouteGroupBuilder reads)
    {
        reads.MapGet("/units/{unitId:guid}/status", UnitStatus)
            .WithSummary("Is the unit open at 'at' (default now)? Until when, when it opens next, why, and what to offer the caller now.");
        reads.MapGet("/units/{unitId:guid}/days/{date}", UnitDay).WithSummary("A unit's hours on a date (yyyy-MM-dd), with the reason for any deviation.");
        reads.MapGet("/units/{unitId:guid}/weeks/{anyDateInWeek}", UnitWeek).WithSummary("A unit's hours Monday to Sunday of the week containing the date.");
        reads.MapGet("/calendar/{year:int}", Calendar).WithSummary("The Swedish public holidays, eves and days before holidays of a year (1900–2200).");
    }

    private static async Task<Results<Ok<OpeningStatus>, ValidationProblem, ProblemHttpResult>> UnitStatus(
        Guid unitId, string? at, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, TimeProvider clock,
        IOptions<OpeningHoursOptions> options, CancellationToken ct)
    {
        if (!TryInstant(at, clock, out var instant, out var bad))
        {
            return bad;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var unit = await UnitRules.LoadAsync(conn, unitId, ct);
        return unit is null
            ? Problems.NotFound($"No unit has id {unitId}.")
            : TypedResults.Ok(StatusOf(unitId.ToString(), unit.UnitName, unit.Rules, instant, evaluator, options.Value));
    }

    private static async Task<Results<Ok<DaySchedule>, ValidationProblem, ProblemHttpResult>> UnitDay(
        Guid unitId, string date, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, CancellationToken ct)
    {
        if (!OpeningHoursHttp.TryParseDate(date, out var day))
        {
            return OpeningHoursHttp.BadDate("date", date);
        }

        var (rules, missing) = await RulesOfAsync(unitId, dataSource, ct);
        return rules is null ? missing! : TypedResults.Ok(evaluator.HoursOn(rules, day));
    }

    private static async Task<Results<Ok<IReadOnlyList<DaySchedule>>, ValidationProblem, ProblemHttpResult>> UnitWeek(
        Guid unitId, string anyDateInWeek, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, CancellationToken ct)
    {
        if (!TryWeek(anyDateInWeek, out var day, out var bad))
        {
            return bad;
        }

        var (rules, missing) = await RulesOfAsync(unitId, dataSource, ct);
        return rules is null ? missing! : TypedResults.Ok(evaluator.Week(rules, day));
    }

    private static Results<Ok<YearCalendar>, ValidationProblem> Calendar(int year) =>
        year is < SwedishCalendar.FirstSupportedYear or > SwedishCalendar.LastSupportedYear
            ? Problems.Validation("year", $"{year} is outside the supported years {SwedishCalendar.FirstSupportedYear}–{SwedishCalendar.LastSupportedYear}.")
            : TypedResults.Ok(new YearCalendar(year, SwedishCalendar.DaysOfYear(year)));

    private static async Task<(OpeningRules? Rules, ProblemHttpResult? Missing)> RulesOfAsync(Guid unitId, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var unit = await UnitRules.LoadAsync(conn, unitId, ct);
        return unit switch
        {
            null => (null, Problems.NotFound($"No unit has id {unitId}.")),
            { Rules: null } => (null, Problems.NotFound($"The unit '{unit.UnitName}' has no opening hours yet, so its hours are unknown.")),
            _ => (unit.Rules, null),
        };
    }

    /// <summary>The answer for one unit; "unknown" without rules, never "open".</summary>
    public static OpeningStatus StatusOf(string id, string name, OpeningRules? rules, DateTimeOffset at, OpeningHoursEvaluator evaluator, OpeningHoursOptions options)
    {
        at = evaluator.ToLocal(at); // answered with the Swedish offset, like every other instant here
        if (rules is null)
        {
            return new OpeningStatus(id, name, at, "unknown", null, null, false, null, null);
        }

        var status = evaluator.Evaluate(rules, at);
        return new OpeningStatus(id, name, at, status.IsOpen ? "open" : "closed", status.ClosesAt, status.OpensAt,
            status.ClosesWithin(options.ClosingSoonWarning), status.Reason, status.WhenClosed);
    }

    /// <summary>The 'at' query parameter, or now by the service's clock.</summary>
    internal static bool TryInstant(string? at, TimeProvider clock, out DateTimeOffset instant, out ValidationProblem bad)
    {
        bad = null!;
        if (string.IsNullOrWhiteSpace(at))
        {
            instant = clock.GetUtcNow();
            return true;
        }

        if (OpeningHoursHttp.TryParseInstant(at, out instant))
        {
            return true;
        }

        bad = OpeningHoursHttp.BadInstant("at", at);
        return false;
    }

    /// <summary>A date whose whole Monday–Sunday week lies in the supported years.</summary>
    internal static bool TryWeek(string text, out DateOnly date, out ValidationProblem bad)
    {
        bad = null!;
        if (OpeningHoursHttp.TryParseDate(text, out date))
        {
            var monday = date.AddDays(-(((int)date.DayOfWeek + 6) % 7));
            // The Sunday is computed only within the supported years: after 9999-12-26 it does not exist.
            if (monday.Year >= SwedishCalendar.FirstSupportedYear && monday.Year <= SwedishCalendar.LastSupportedYear
                && monday.AddDays(6).Year <= SwedishCalendar.LastSupportedYear)
            {
                return true;
            }
        }

        bad = OpeningHoursHttp.BadDate("anyDateInWeek", text);
        return false;
    }
}
