using System.Globalization;
using Xunit.Abstractions;

namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>Runs only when SWITCHBOARD_MEASURE=1: a measurement for docs/performance.md, not a test.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public static bool Measuring => Environment.GetEnvironmentVariable("SWITCHBOARD_MEASURE") == "1";

    public MeasurementFactAttribute()
    {
        if (!Measuring)
        {
            Skip = "A measurement, not a test: run it with SWITCHBOARD_MEASURE=1 (docs/performance.md).";
        }
    }
}

/// <summary>
/// How fast the dashboard feels over 3,000 units and 20,000 people, timed inside the real browser
/// with performance.now(): the last keystroke of a search to the hits in the page (DOM updated, and
/// the next frame), and the Umeå editor's unit list (page load to the list in the page; clearing the
/// filter to the whole list drawn again). Prints p50/p95 and writes artifacts/measurements/.
/// </summary>
public sealed class BigDirectoryMeasurement(BigDirectoryMeasurement.App app, ITestOutputHelper output) : IClassFixture<BigDirectoryMeasurement.App>
{
    private const int Searches = 50, Reloads = 10, Refilters = 20;

    /// <summary>The big directory, filled only when the measurement runs.</summary>
    public sealed class App : BigDirectoryBrowserApp
    {
        protected override bool FillsDirectory => MeasurementFactAttribute.Measuring;
    }

    // Records when the search input last changed and, for each change of the search status line
    // (written right after the hits), the time of the DOM change and of the next frame.
    private const string SearchProbe = """
        () => {
          const m = window.__m = { lastInput: 0, renders: [] };
          document.getElementById('search').addEventListener('input', () => { m.lastInput = performance.now(); });
          new MutationObserver(() => {
            const dom = performance.now();
            requestAnimationFrame(() => m.renders.push({ dom, frame: performance.now(), text: document.getElementById('search-status').textContent }));
          }).observe(document.getElementById('search-status'), { childList: true, characterData: true, subtree: true });
        }
        """;

    // Before the page's own scripts: the time since navigation start at which the unit list first has rows.
    private const string UnitsProbe = """
        new MutationObserver((_, observer) => {
          if (document.querySelector('#units tr')) { window.__unitsAt = performance.now(); observer.disconnect(); }
        }).observe(document, { childList: true, subtree: true });
        """;

    [MeasurementFact]
    public async Task SearchAsYouTypeAndTheUmeåUnitList()
    {
        string[] names;
        await using (var conn = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            names = [.. await conn.QueryAsync<string>(
                "select name from directory_people order by hashtext(external_key) limit @n", new { n = Searches })];
        }

        var page = await SignedInAsync(app, Roles.Operator, "2480");
        await page.EvaluateAsync(SearchProbe);
        var dom = new List<double>();
        var frame = new List<double>();
        foreach (var name in names)
        {
            await page.Locator("#search").FillAsync("");
            await Assertions.Expect(page.Locator("#hits li")).ToHaveCountAsync(0);
            await page.EvaluateAsync("() => { window.__m.renders = []; }");
            // As operators type: lower case, without å/ä/ö.
            var typed = name.ToLowerInvariant().Replace('å', 'a').Replace('ä', 'a').Replace('ö', 'o');
            await page.Locator("#search").PressSequentiallyAsync(typed);
            await page.WaitForFunctionAsync("() => window.__m.renders.some(r => r.dom >= window.__m.lastInput + 150 && /träff/.test(r.text))");
            await Assertions.Expect(page.Locator("#hits button").First).ToContainTextAsync(name.Split(' ')[^1]);
            await page.WaitForTimeoutAsync(300); // a later answer, if any, is the one the operator sees
            var timing = await page.EvaluateAsync<double[]>(
                "() => { const m = window.__m; const last = m.renders[m.renders.length - 1]; return [last.dom - m.lastInput, last.frame - m.lastInput]; }");
            dom.Add(timing[0]);
            frame.Add(timing[1]);
        }

        var editor = await SignedInAsync(app, Roles.Editor, "2480");
        await editor.Context.AddInitScriptAsync(UnitsProbe);
        var editorClient = await app.ClientForAsync(Roles.Editor, "2480");
        var rows = (await editorClient.GetFromJsonAsync<JsonElement>("/api/directory/units?municipality=2480")).GetArrayLength();
        await Assertions.Expect(editor.Locator("#units tr")).ToHaveCountAsync(rows, new() { Timeout = 30_000 });
        var load = new List<double>();
        for (var i = 0; i < Reloads; i++)
        {
            await editor.ReloadAsync();
            await editor.WaitForFunctionAsync("() => window.__unitsAt !== undefined");
            load.Add(await editor.EvaluateAsync<double>("() => window.__unitsAt"));
            await Assertions.Expect(editor.Locator("#units tr")).ToHaveCountAsync(rows);
        }

        var redraw = new List<double>();
        for (var i = 0; i < Refilters; i++)
        {
            await editor.GetByLabel("Filtrera").FillAsync("förskola");
            redraw.Add(await editor.EvaluateAsync<double>("""
                () => new Promise(resolve => {
                  const filter = document.getElementById('unit-filter');
                  const start = performance.now();
                  filter.value = '';
                  filter.dispatchEvent(new Event('input'));
                  requestAnimationFrame(() => resolve(performance.now() - start));
                })
                """));
            await Assertions.Expect(editor.Locator("#units tr")).ToHaveCountAsync(rows);
        }

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg").Trim()}")
            .AppendLine(Line($"search, last keystroke to hits in the DOM (n={dom.Count}, includes the 150 ms debounce)", dom))
            .AppendLine(Line($"search, last keystroke to the next frame with the hits (n={frame.Count})", frame))
            .AppendLine(Line($"editor, page load to the Umeå list of {rows} units in the DOM (n={load.Count})", load))
            .AppendLine(Line($"editor, clearing the filter to all {rows} rows drawn again, next frame (n={redraw.Count})", redraw))
            .ToString();
        output.WriteLine(report);
        var folder = Path.Combine(TestPostgres.RepositoryRoot(), "artifacts", "measurements");
        System.IO.Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "dashboard-big-directory.txt"), report);
    }

    private static string Line(string what, List<double> ms)
    {
        var sorted = ms.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"{what}: p50 {At(0.50):0} ms, p95 {At(0.95):0} ms, max {sorted[^1]:0} ms");
    }
}
