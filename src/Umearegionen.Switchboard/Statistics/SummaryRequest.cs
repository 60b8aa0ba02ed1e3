namespace Umearegionen.Switchboard.Statistics;

/// <summary>Reads and checks the query string every statistics request shares.</summary>
public static class SummaryRequest
{
    public static StatisticsPeriod? Period(string? from, string? to, int maxDays, FieldErrors errors)
    {
        var start = Date("from", from, errors);
        var end = Date("to", to, errors);
        if (start is null || end is null)
        {
            return null;
        }

        if (end < start)
        {
            errors.Add("to", $"to ({end:yyyy-MM-dd}) must not be before from ({start:yyyy-MM-dd}).");
            return null;
        }

        var period = new StatisticsPeriod(start.Value, end.Value);
        if (period.Days > maxDays)
        {
            errors.Add("to", $"the range covers {period.Days} days; at most {maxDays} days can be asked for at once.");
            return null;
        }

        return period;
    }

    public static bool WantsCsv(string? format, FieldErrors errors)
    {
        switch (format?.Trim().ToLowerInvariant())
        {
            case null or "" or "json":
                return false;
            case "csv":
                return true;
            default:
                errors.Add("format", "format must be \"json\" or \"csv\".");
                return false;
        }
    }

    /// <summary>
    /// Which municipality the caller may see: managers and administrators any (or all); an editor
    /// only their own, which is also what they get without asking for one.
    /// </summary>
    public static (string? Municipality, bool Forbidden) Scope(ClaimsPrincipal user, string? requested)
    {
        var wanted = string.IsNullOrWhiteSpace(requested) ? null : requested.Trim();
        if (user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Administrator))
        {
            return (wanted, false);
        }

        var own = user.MunicipalityCode();
        if (own is null)
        {
            return (null, true);
        }

        return wanted is null || wanted == own ? (own, false) : (wanted, true);
    }

    public static bool SeesEverything(ClaimsPrincipal user) => user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Administrator);

    /// <summary>The dates a period may cover: the previous period and the day after must still be dates.</summary>
    public static readonly DateOnly MinDate = new(2000, 1, 1);

    public static readonly DateOnly MaxDate = new(2099, 12, 31);

    private static DateOnly? Date(string field, string? value, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, $"{field} is required, as a date like 2026-03-01 (Europe/Stockholm local date).");
            return null;
        }

        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(field, $"{field} \"{value}\" is not a date; write it as yyyy-MM-dd, for example 2026-03-01.");
            return null;
        }

        if (date < MinDate || date > MaxDate)
        {
            errors.Add(field, $"{field} must be between {MinDate:yyyy-MM-dd} and {MaxDate:yyyy-MM-dd}.");
            return null;
        }

        return date;
    }
}
