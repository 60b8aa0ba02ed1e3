using System.Net;
using System.Text;

namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>Writes a run's report as Markdown and as a self-contained HTML page with SVG charts.</summary>
public static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Markdown(RunReport report)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"# Load test: {report.Scenario}");
        md.AppendLine();
        md.AppendLine(Invariant, $"- Started: {report.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, duration {report.Duration.TotalSeconds:0.0} s");
        md.AppendLine(Invariant, $"- Calls started: {report.CallsStarted} ({report.Throughput:0.0} per second)");
        foreach (var (key, value) in report.Facts)
        {
            md.AppendLine(Invariant, $"- {key}: {value}");
        }

        md.AppendLine(Invariant, $"- Result: **{(report.Passed ? "PASSED" : "FAILED")}**");
        md.AppendLine();
        md.AppendLine("## Latency (ms)");
        md.AppendLine();
        md.AppendLine("| measure | count | p50 | p95 | p99 | max |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in report.Latencies.Select(l => l.Summary()))
        {
            md.AppendLine(Invariant, $"| {s.Name} | {s.Count} | {s.P50Ms:0.0} | {s.P95Ms:0.0} | {s.P99Ms:0.0} | {s.MaxMs:0.0} |");
        }

        md.AppendLine();
        md.AppendLine("## Errors");
        md.AppendLine();
        if (report.Errors.Count == 0)
        {
            md.AppendLine("None.");
        }
        else
        {
            md.AppendLine("| kind | count |");
            md.AppendLine("| --- | ---: |");
            foreach (var (kind, count) in report.Errors)
            {
                md.AppendLine(Invariant, $"| {kind} | {count} |");
            }
        }

        md.AppendLine();
        foreach (var (title, body) in report.Sections)
        {
            md.AppendLine(Invariant, $"## {title}");
            md.AppendLine();
            md.AppendLine(body.TrimEnd());
            md.AppendLine();
        }

        md.AppendLine("## Reconciliation");
        md.AppendLine();
        if (report.Reconciliation is { } r)
        {
            md.AppendLine(Invariant,
                $"Started {r.Started}; found exactly once {r.FoundOnce}; missing {r.Missing}; duplicated {r.Duplicated}; " +
                $"inconsistent history {r.InconsistentHistory}; not ended {r.NotTerminal}; never started but stored {r.Unexpected}; " +
                $"duplicate platform events {r.DuplicatePlatformEvents}; offered while an offer was open {r.TwoOffersOpen}; " +
                $"accepted twice {r.AcceptedTwice}; instructions to the platform written twice {r.DoubledInstructions}. " +
                $"{(r.Clean ? "Every call accounted for." : "NOT CLEAN.")}");
        }
        else
        {
            md.AppendLine("Not run.");
        }

        return md.ToString();
    }

    public static string Html(RunReport report)
    {
        var html = Page(report.Scenario);
        html.AppendLine(MarkdownishToHtml(Markdown(report)));
        html.AppendLine("<h2>Arrivals per second</h2>");
        html.AppendLine(Chart(report.ArrivalsPerSecond.Select(s => (s.Second, (double)s.Count)).ToList(), "calls/s", "#1f5fa8"));
        foreach (var latency in report.Latencies)
        {
            html.AppendLine(Invariant, $"<h2>{Encode(latency.Name)}: p99 per second</h2>");
            html.AppendLine(Chart(latency.PerSecond().Select(s => (s.Second, s.P99Ms)).ToList(), "ms", "#b3261e"));
        }

        foreach (var (title, unit, points) in report.Series)
        {
            html.AppendLine(Invariant, $"<h2>{Encode(title)}</h2>");
            html.AppendLine(Chart(points, unit, "#2e7d32"));
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    public static void Write(RunReport report, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var stem = $"{report.StartedAt:yyyyMMdd-HHmmss}-{Slug(report.Scenario)}";
        File.WriteAllText(Path.Combine(directory, stem + ".md"), Markdown(report));
        File.WriteAllText(Path.Combine(directory, stem + ".html"), Html(report), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(directory, stem + ".csv"), Csv(report), new UTF8Encoding(false));
        if (report.Cost is { } cost) File.WriteAllText(Path.Combine(directory, stem + "-cost.csv"), cost.Csv(), new UTF8Encoding(false));
    }

    /// <summary>
    /// One node against several on the same traffic (a scenario's compareNodes): a table of the runs side
    /// by side, then each run's own report. CPU is the mean over the seconds calls arrived in: the
    /// service's (its processes added up; 100 % is one core) and the machine's (all cores).
    /// </summary>
    public static string ComparisonMarkdown(string scenario, IReadOnlyList<(int Nodes, RunReport Report)> runs)
    {
        var md = new StringBuilder();
        md.AppendLine(Invariant, $"# Load test: {scenario}, {string.Join(" against ", runs.Select(r => NodesLabel(r.Nodes)))}");
        md.AppendLine();
        md.AppendLine("The same scenario (the same seed, so the same arrivals) once per row, each on a fresh database. One node runs as every other " +
                      "scenario does (the generator talks to it directly); more nodes run behind haproxy with a Redis backplane, so their figures include " +
                      "the balancer's hop and the backplane. All share the machine's cores with PostgreSQL and the generator.");
        md.AppendLine();
        md.AppendLine("| nodes | calls | intake-to-offer p50 / p95 / p99 (ms) | accept-to-confirmed p50 / p95 / p99 (ms) | errors | service CPU (% of one core) | machine CPU (%) | commits in the service's database / write transactions / WAL kB per call | reconciled | result |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var (nodes, report) in runs)
        {
            var offer = Find(report, "intake-to-offer");
            var accept = Find(report, "accept-to-confirmed");
            var from = report.ArrivalsPerSecond.Count == 0 ? 0 : report.ArrivalsPerSecond.Min(a => a.Second);
            var to = report.ArrivalsPerSecond.Count == 0 ? 0 : report.ArrivalsPerSecond.Max(a => a.Second);
            md.AppendLine(Invariant,
                $"| {nodes} | {report.CallsStarted} | {offer.P50Ms:0.0} / {offer.P95Ms:0.0} / {offer.P99Ms:0.0} | " +
                $"{accept.P50Ms:0.0} / {accept.P95Ms:0.0} / {accept.P99Ms:0.0} | {report.Errors.Sum(e => e.Value)} | " +
                $"{Mean(report, Diagnostics.TimelineRecorder.Series.ServiceCpu, from, to)} | {Mean(report, Diagnostics.TimelineRecorder.Series.MachineCpu, from, to)} | {CostCell(report)} | " +
                $"{(report.Reconciliation is { Clean: true } ? "clean" : "NOT CLEAN")} | {(report.Passed ? "PASSED" : "FAILED")} |");
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"- Result: **{(runs.All(r => r.Report.Passed) ? "PASSED" : "FAILED")}**");
        foreach (var (nodes, report) in runs)
        {
            md.AppendLine();
            md.AppendLine(Invariant, $"## Run with {NodesLabel(nodes)}");
            md.AppendLine();
            // The run's own report, its headings one level down.
            foreach (var line in Markdown(report).Split('\n').Skip(1))
            {
                md.AppendLine(line.StartsWith('#') ? "#" + line : line);
            }
        }

        return md.ToString();
    }

    private static string CostCell(RunReport report) => report.Cost is { Calls: > 0 } c
        ? string.Create(Invariant, $"{c.DatabaseCommitsPerCall:0.0} / {c.WriteTransactionsPerCall:0.0} / {c.WalBytesPerCall / 1024:0.0}")
        : "–";

    private static string NodesLabel(int nodes) => nodes == 1 ? "1 node" : $"{nodes} nodes";

    private static LatencySummary Find(RunReport report, string name) =>
        report.Latencies.FirstOrDefault(l => l.Name == name)?.Summary() ?? new LatencySummary(name, 0, 0, 0, 0, 0);

    /// <summary>The mean of a per-second series over seconds from..to, or "–" without data.</summary>
    internal static string Mean(RunReport report, string series, int from, int to)
    {
        var points = report.Series.FirstOrDefault(s => s.Title == series).Points?.Where(p => p.Second >= from && p.Second <= to).ToList();
        return points is { Count: > 0 } ? points.Average(p => p.Value).ToString("0", Invariant) : "–";
    }

    public static void WriteComparison(string scenario, IReadOnlyList<(int Nodes, RunReport Report)> runs, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var startedAt = runs.Count > 0 ? runs[0].Report.StartedAt : DateTimeOffset.UtcNow;
        var stem = $"{startedAt:yyyyMMdd-HHmmss}-{Slug(scenario)}";
        var markdown = ComparisonMarkdown(scenario, runs);
        File.WriteAllText(Path.Combine(directory, stem + ".md"), markdown);
        var html = Page(scenario);
        html.AppendLine(MarkdownishToHtml(markdown));
        foreach (var (nodes, report) in runs)
        {
            foreach (var latency in report.Latencies.Take(2))
            {
                html.AppendLine(Invariant, $"<h2>{NodesLabel(nodes)}: {Encode(latency.Name)}, p99 per second</h2>");
                html.AppendLine(Chart(latency.PerSecond().Select(s => (s.Second, s.P99Ms)).ToList(), "ms", "#b3261e"));
            }

            var cpu = report.Series.FirstOrDefault(s => s.Title == Diagnostics.TimelineRecorder.Series.ServiceCpu);
            if (cpu.Points is not null)
            {
                html.AppendLine(Invariant, $"<h2>{NodesLabel(nodes)}: {Encode(cpu.Title)}</h2>");
                html.AppendLine(Chart(cpu.Points, cpu.Unit, "#2e7d32"));
            }
        }

        html.AppendLine("</body></html>");
        File.WriteAllText(Path.Combine(directory, stem + ".html"), html.ToString(), new UTF8Encoding(false));
        foreach (var (nodes, report) in runs)
        {
            File.WriteAllText(Path.Combine(directory, $"{stem}-{nodes}-node.csv"), Csv(report), new UTF8Encoding(false));
            if (report.Cost is { } cost) File.WriteAllText(Path.Combine(directory, $"{stem}-{nodes}-node-cost.csv"), cost.Csv(), new UTF8Encoding(false));
        }
    }

    /// <summary>
    /// Every per-second figure of the run in one table (a row per second; arrivals, p99 of each
    /// latency, then every series), for looking at a slow second more closely than the charts allow.
    /// </summary>
    public static string Csv(RunReport report)
    {
        var columns = new List<(string Name, IReadOnlyDictionary<int, double> Values)>
        {
            ("arrivals per second", report.ArrivalsPerSecond.ToDictionary(s => s.Second, s => (double)s.Count)),
        };
        columns.AddRange(report.Latencies.Select(l => ($"{l.Name} p99 (ms)", (IReadOnlyDictionary<int, double>)l.PerSecond().ToDictionary(s => s.Second, s => s.P99Ms))));
        columns.AddRange(report.Series.Select(s => ($"{s.Title} ({s.Unit})", (IReadOnlyDictionary<int, double>)s.Points
            .GroupBy(p => p.Second).ToDictionary(g => g.Key, g => g.Last().Value))));
        var seconds = columns.SelectMany(c => c.Values.Keys).Distinct().Order().ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', columns.Select(c => Quote(c.Name)).Prepend("second")));
        foreach (var second in seconds)
        {
            csv.AppendLine(string.Join(',', columns.Select(c => c.Values.TryGetValue(second, out var v) ? v.ToString("0.###", Invariant) : "")
                .Prepend(second.ToString(Invariant))));
        }

        return csv.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A line chart as inline SVG: seconds of the run across, the value up.</summary>
    internal static string Chart(IReadOnlyList<(int Second, double Value)> points, string unit, string colour)
    {
        const int Width = 900, Height = 220, Left = 50, Bottom = 25, Top = 10;
        if (points.Count == 0)
        {
            return "<p>No data.</p>";
        }

        var maxX = Math.Max(1, points.Max(p => p.Second));
        var maxY = Math.Max(1e-9, points.Max(p => p.Value));
        string X(int s) => (Left + (double)s / maxX * (Width - Left - 10)).ToString("0.0", Invariant);
        string Y(double v) => (Top + (1 - v / maxY) * (Height - Top - Bottom)).ToString("0.0", Invariant);
        var path = string.Join(" ", points.Select((p, i) => $"{(i == 0 ? "M" : "L")}{X(p.Second)},{Y(p.Value)}"));
        return $"""
            <svg width="{Width}" height="{Height}" role="img" aria-label="{Encode(unit)} over time">
            <line x1="{Left}" y1="{Height - Bottom}" x2="{Width - 10}" y2="{Height - Bottom}" stroke="#555"/>
            <line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Height - Bottom}" stroke="#555"/>
            <text x="4" y="{Top + 10}" font-size="11">{maxY.ToString("0.#", Invariant)} {Encode(unit)}</text>
            <text x="4" y="{Height - Bottom}" font-size="11">0</text>
            <text x="{Width - 60}" y="{Height - 6}" font-size="11">{maxX} s</text>
            <path d="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>
            </svg>
            """;
    }

    private static string MarkdownishToHtml(string markdown)
    {
        var html = new StringBuilder();
        var inTable = false;
        foreach (var line in markdown.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith('|'))
            {
                if (line.Contains("---", StringComparison.Ordinal))
                {
                    continue;
                }

                var cells = line.Trim('|').Split('|').Select(c => Encode(c.Trim()));
                var tag = inTable ? "td" : "th";
                html.Append(inTable ? "" : "<table>").Append("<tr>")
                    .Append(string.Concat(cells.Select(c => $"<{tag}>{c}</{tag}>"))).AppendLine("</tr>");
                inTable = true;
                continue;
            }

            if (inTable)
            {
                html.AppendLine("</table>");
                inTable = false;
            }

            if (line.StartsWith("### ", StringComparison.Ordinal)) html.AppendLine($"<h3>{Encode(line[4..])}</h3>");
            else if (line.StartsWith("## ", StringComparison.Ordinal)) html.AppendLine($"<h2>{Encode(line[3..])}</h2>");
            else if (line.StartsWith("# ", StringComparison.Ordinal)) html.AppendLine($"<h1>{Encode(line[2..])}</h1>");
            else if (line.StartsWith("- ", StringComparison.Ordinal)) html.AppendLine($"<p>• {Encode(line[2..]).Replace("**", "")}</p>");
            else if (line.Length > 0) html.AppendLine($"<p>{Encode(line)}</p>");
        }

        if (inTable)
        {
            html.AppendLine("</table>");
        }

        return html.ToString();
    }

    /// <summary>A report page up to its body: its title and the style every report shares.</summary>
    private static StringBuilder Page(string scenario)
    {
        var html = new StringBuilder();
        html.AppendLine("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(Invariant, $"<title>Load test: {Encode(scenario)}</title>");
        html.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;color:#1a1a1a}" +
                        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .6rem;text-align:right}" +
                        "th:first-child,td:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ccc}</style>");
        html.AppendLine("</head><body>");
        return html;
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Slug(string text) =>
        new(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
