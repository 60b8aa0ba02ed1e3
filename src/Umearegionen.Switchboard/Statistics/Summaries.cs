namespace Umearegionen.Switchboard.Statistics;

public sealed record SummarySettings(
    int ServiceLevelTargetSeconds, int ShortAbandonSeconds, int BounceBackWindowSeconds, string TimeZone);

public sealed record SummaryRow(string Key, string? Label, Metrics Metrics, Metrics? Previous);

public sealed record Summary(
    DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, string By, string? Municipality,
    SummarySettings Settings, Metrics Total, Metrics PreviousTotal, IReadOnlyList<SummaryRow> Rows,
    IReadOnlyList<string> NotCaptured);

/// <summary>Builds a summary: the period, the period before it, and the rows of the chosen slice.</summary>
public sealed class Summaries(NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options, IOptions<ServiceLevelOptions> serviceLevel, TimeProvider clock)
{
    private static readonly string[] WeekdayNames = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public async Task<Summary> BuildAsync(
        StatisticsPeriod period, string by, string? municipality, bool withOccupancy, CancellationToken ct)
    {
        var settings = options.Value;
        var previousPeriod = period.Previous();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await RollupFlush.FlushAsync(conn, ct);

        var total = await SummaryQueries.CountsAsync(conn, period, Dimensions.None, municipality, serviceLevel.Value, ct);
        var previousTotal = await SummaryQueries.CountsAsync(conn, previousPeriod, Dimensions.None, municipality, serviceLevel.Value, ct);
        var rows = by == Dimensions.None ? [] : await SummaryQueries.CountsAsync(conn, period, by, municipality, serviceLevel.Value, ct);
        var previousRows = by != Dimensions.None && Dimensions.ComparesRowByRow(by)
            ? (await SummaryQueries.CountsAsync(conn, previousPeriod, by, municipality, serviceLevel.Value, ct)).ToDictionary(r => r.Key, StringComparer.Ordinal)
            : new Dictionary<string, MetricCounts>(StringComparer.Ordinal);

        // Operators answer every municipality's calls, so occupancy is a figure of the whole switchboard.
        Dictionary<string, OperatorTime> times = new(StringComparer.Ordinal);
        Dictionary<string, OperatorTime> previousTimes = new(StringComparer.Ordinal);
        double? occupancy = null, previousOccupancy = null;
        if (withOccupancy && municipality is null)
        {
            var now = clock.GetUtcNow();
            times = (await SummaryQueries.OperatorTimeAsync(conn, period, now, ct)).ToDictionary(t => t.OperatorId, StringComparer.Ordinal);
            previousTimes = (await SummaryQueries.OperatorTimeAsync(conn, previousPeriod, now, ct)).ToDictionary(t => t.OperatorId, StringComparer.Ordinal);
            occupancy = Occupancy.Of(times.Values.Sum(t => t.HandledSeconds), times.Values.Sum(t => t.StaffedSeconds));
            previousOccupancy = Occupancy.Of(previousTimes.Values.Sum(t => t.HandledSeconds), previousTimes.Values.Sum(t => t.StaffedSeconds));
        }

        var parts = Dimensions.Parts(by);
        var labels = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 0; i < parts.Count; i++)
        {
            var index = i;
            labels.Add(await SummaryQueries.LabelsAsync(conn, parts[i], rows.Select(r => KeyParts(r.Key, parts.Count)[index]), period, ct));
        }

        var summaryRows = rows.Select(r =>
        {
            var rowOccupancy = by == Dimensions.Operator && times.TryGetValue(r.Key, out var t) ? Occupancy.Of(t.HandledSeconds, t.StaffedSeconds) : null;
            var previousOccupancyOfRow = by == Dimensions.Operator && previousTimes.TryGetValue(r.Key, out var p) ? Occupancy.Of(p.HandledSeconds, p.StaffedSeconds) : null;
            Metrics? previous = Dimensions.ComparesRowByRow(by)
                ? Metrics.From(previousRows.GetValueOrDefault(r.Key) ?? MetricCounts.Empty(r.Key), previousOccupancyOfRow)
                : null;
            var keys = KeyParts(r.Key, parts.Count);
            var label = string.Join(" · ", parts.Select((p, i) => Label(p, keys[i], labels[i]) ?? keys[i]));
            return new SummaryRow(r.Key, label, Metrics.From(r, rowOccupancy), previous);
        }).ToList();

        return new Summary(
            period.From, period.To, previousPeriod.From, previousPeriod.To, by, municipality,
            new SummarySettings(serviceLevel.Value.TargetSeconds, serviceLevel.Value.ShortAbandonSeconds,
                (int)settings.BounceBackWindow.TotalSeconds, "Europe/Stockholm"),
            Metrics.From(total.FirstOrDefault() ?? MetricCounts.Empty(""), occupancy),
            Metrics.From(previousTotal.FirstOrDefault() ?? MetricCounts.Empty(""), previousOccupancy),
            summaryRows,
            []);
    }

    private static string[] KeyParts(string key, int count) => count == 1 ? [key] : key.Split('|', count);

    private static string? Label(string by, string key, IReadOnlyDictionary<string, string> labels) => by switch
    {
        _ when key.Length == 0 => by switch
        {
            Dimensions.Municipality => "(unknown dialled number)",
            Dimensions.Unit => "(no unit)",
            Dimensions.Topic => "(no menu choice)",
            Dimensions.Operator => "(no operator)",
            Dimensions.WrapUpCategory => "(no category)",
            _ => null,
        },
        Dimensions.Weekday => WeekdayNames[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)],
        Dimensions.Hour => $"{key}:00–{key}:59",
        _ => labels.GetValueOrDefault(key) ?? key,
    };
}
