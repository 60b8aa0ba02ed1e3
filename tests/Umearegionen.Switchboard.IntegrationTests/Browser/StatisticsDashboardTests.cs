using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Umearegionen.Switchboard.Live;
using Umearegionen.Switchboard.TelephonySimulator;

namespace Umearegionen.Switchboard.IntegrationTests.Browser;

/// <summary>
/// The Statistik view: calls handled the real way (telephony API, an operator on the hub) and counted by the
/// statistics API, read in the page, sliced, and exported as CSV. Only the first test places calls to Vännäs and
/// Bjurholm; the editor's test calls Umeå only, so each asserts on figures no other test in the class touches.
/// </summary>
public sealed class StatisticsDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static string Today => TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow,
        TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ManagerSeesTheRangesCallsCountedPerMunicipalityChangesTheSliceAndExportsItAsCsv()
    {
        var platform = new SimulatedPlatform(await app.TelephonyClientAsync());
        await using (var op = await HubOperator.ConnectAsync(app))
        {
            await op.AnswerNextAsync(await platform.PlaceCallAsync(RoutingDriver.Vannas, "vatten"));
            await op.AnswerNextAsync(await platform.PlaceCallAsync(RoutingDriver.Vannas, "vatten"));
            await op.SetStatusAsync(OperatorStatuses.Paused, "statistiktest");
        }

        foreach (var (dialled, topic) in new[] { (RoutingDriver.Vannas, "skola"), (RoutingDriver.Bjurholm, (string?)null) })
        {
            var call = await platform.PlaceCallAsync(dialled, topic);
            await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);
        }

        await EndedCallsAsync("2460", 3);
        await EndedCallsAsync("2403", 1);

        var page = await SignedInAsync(app, Roles.Manager);
        await page.GetByRole(AriaRole.Link, new() { Name = "Statistik" }).ClickAsync();
        await page.GetByLabel("Från och med").FillAsync(Today);
        await page.GetByLabel("Till och med").FillAsync(Today);
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa statistik" }).ClickAsync();

        var vannas = page.Locator("#s-rows tr[data-key='2460']");
        await Assertions.Expect(vannas.Locator("th")).ToHaveTextAsync("Vännäs");
        await Assertions.Expect(vannas.Locator("td[data-metric='offered']")).ToHaveTextAsync("3");
        await Assertions.Expect(vannas.Locator("td[data-metric='answered']")).ToHaveTextAsync("2");
        await Assertions.Expect(vannas.Locator("td[data-metric='abandoned']")).ToHaveTextAsync("1");
        var bjurholm = page.Locator("#s-rows tr[data-key='2403']");
        await Assertions.Expect(bjurholm.Locator("td[data-metric='offered']")).ToHaveTextAsync("1");
        await Assertions.Expect(bjurholm.Locator("td[data-metric='answered']")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#s-key-figures tr[data-metric='closedDestinations'] td[data-period='current']")).ToHaveTextAsync("0");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = $"Per kommun, {Today} – {Today}" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "manager-statistics");

        await page.GetByLabel("Dela upp per").SelectOptionAsync(new SelectOptionValue { Label = "Ämne" });
        await page.GetByLabel("Kommun", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Vännäs" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa statistik" }).ClickAsync();
        var vatten = page.Locator("#s-rows tr[data-key='vatten']");
        await Assertions.Expect(vatten.Locator("td[data-metric='offered']")).ToHaveTextAsync("2");
        await Assertions.Expect(vatten.Locator("td[data-metric='answered']")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#s-rows tr[data-key='skola'] td[data-metric='abandoned']")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#s-rows tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#s-key-figures tr[data-metric='offered'] td[data-period='current']")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#s-figures [data-metric='answered'] .figure-value")).ToHaveTextAsync("2");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Exportera CSV" }).First.ClickAsync());
        Assert.Equal($"statistik-{Today}--{Today}-amne.csv", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.StartsWith("Grupp;Namn;Erbjudna;Besvarade;Avbrutna;Korta avbrott;", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("vatten;vatten;2;2;0;", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("skola;skola;1;0;1;", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#s-status")).ToHaveTextAsync($"Filen statistik-{Today}--{Today}-amne.csv är sparad.");

        // Two slices at once: municipality and topic, every municipality.
        await page.GetByLabel("Kommun", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Alla kommuner" });
        await page.GetByLabel("Dela upp per").SelectOptionAsync(new SelectOptionValue { Label = "Kommun" });
        await page.GetByLabel("och per").SelectOptionAsync(new SelectOptionValue { Label = "Ämne" });
        var vannasVatten = page.Locator("#s-rows tr[data-key='2460|vatten']");
        await Assertions.Expect(vannasVatten.Locator("th")).ToHaveTextAsync("Vännäs · vatten");
        await Assertions.Expect(vannasVatten.Locator("td[data-metric='offered']")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#s-rows tr[data-key='2403|'] th")).ToHaveTextAsync("Bjurholm · Inget menyval");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = $"Per kommun och ämne, {Today} – {Today}" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task EditorSeesOnlyTheirOwnMunicipalitysFigures()
    {
        var platform = new SimulatedPlatform(await app.TelephonyClientAsync());
        var call = await platform.PlaceCallAsync(RoutingDriver.Umea, "bygglov");
        await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);
        await EndedCallsAsync("2480", 1);

        var page = await SignedInAsync(app, Roles.Editor, "2480");
        await page.GetByRole(AriaRole.Link, new() { Name = "Statistik" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Statistik för Umeå" })).ToBeVisibleAsync();
        var municipality = page.GetByLabel("Kommun", new() { Exact = true });
        await Assertions.Expect(municipality).ToBeDisabledAsync();
        await Assertions.Expect(municipality.Locator("option")).ToHaveTextAsync(["Umeå"]);

        await page.GetByRole(AriaRole.Button, new() { Name = "I dag" }).ClickAsync();
        await Assertions.Expect(page.Locator("#s-rows tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#s-rows tr[data-key='2480'] td[data-metric='offered']")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#s-key-figures tr[data-metric='offered'] td[data-period='current']")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("table.key-figures caption")).ToContainTextAsync("Umeå");

        await page.GetByLabel("Budget för perioden (kr)").FillAsync("1 000 000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fördela kostnaden" }).ClickAsync();
        await Assertions.Expect(page.Locator("#c-rows tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#c-rows tr[data-municipality='2480'] th")).ToHaveTextAsync("Umeå");
        await BrowserApp.ScreenshotAsync(page, "editor-statistics");
    }

    [Fact]
    public async Task ARangeEndingBeforeItStartsIsExplainedInSwedishAndNothingIsAsked()
    {
        var page = await SignedInAsync(app, Roles.Manager);
        await page.GetByRole(AriaRole.Link, new() { Name = "Statistik" }).ClickAsync();
        await Assertions.Expect(page.Locator("#s-status")).ToContainTextAsync("Visar");
        var asked = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("/api/statistics/", StringComparison.Ordinal)) asked.Add(request.Url); };

        // What only the service can check is shown with a Swedish lead-in.
        await page.GetByLabel("Från och med").FillAsync("2020-01-01");
        await page.GetByLabel("Till och med").FillAsync("2026-11-10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa statistik" }).ClickAsync();
        await Assertions.Expect(page.Locator("#s-error")).ToContainTextAsync("Statistiken kunde inte hämtas: Perioden omfattar");
        Assert.Single(asked);
        asked.Clear();

        await page.GetByLabel("Från och med").FillAsync("2026-11-20");
        await page.GetByLabel("Till och med").FillAsync("2026-11-10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Visa statistik" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Exportera CSV" }).First.ClickAsync();

        await Assertions.Expect(page.Locator("#s-range-error")).ToHaveTextAsync(
            "Från-datumet (2026-11-20) ligger efter till-datumet (2026-11-10). Välj ett till-datum samma dag eller senare.");
        await Assertions.Expect(page.GetByLabel("Till och med")).ToHaveAttributeAsync("aria-invalid", "true");

        await page.GetByLabel("Budget för perioden (kr)").FillAsync("-5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fördela kostnaden" }).ClickAsync();
        await Assertions.Expect(page.Locator("#c-budget-error")).ToHaveTextAsync("Budgeten kan inte vara negativ.");
        await page.GetByLabel("Budget för perioden (kr)").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fördela kostnaden" }).ClickAsync();
        await Assertions.Expect(page.Locator("#c-budget-error")).ToHaveTextAsync("Ange budgeten för perioden i kronor, till exempel 2 400 000.");
        await BrowserApp.ScreenshotAsync(page, "manager-statistics-bad-range");
        Assert.Empty(asked);
    }

    /// <summary>Waits until the statistics API counts this many ended calls today for the municipality.</summary>
    private async Task EndedCallsAsync(string municipality, int expected)
    {
        var manager = await app.ClientForAsync(Roles.Manager);
        var until = DateTime.UtcNow + RoutingDriver.Patience;
        while (true)
        {
            var summary = await manager.GetFromJsonAsync<JsonElement>(
                $"/api/statistics/summary?from={Today}&to={Today}&municipality={municipality}");
            var offered = summary.GetProperty("total").GetProperty("offered").GetInt32();
            if (offered == expected)
            {
                return;
            }

            Assert.True(offered < expected && DateTime.UtcNow < until, $"Expected {expected} ended calls for {municipality}, the API counts {offered}.");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// The budget split in the page, in a class of its own: its call shares depend on every call of the database.
/// </summary>
public sealed class CostSplitDashboardTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task ManagerSplitsABudgetByTheKeyAndSeesEachMunicipalitysShareOfTheCalls()
    {
        var platform = new SimulatedPlatform(await app.TelephonyClientAsync());
        foreach (var dialled in new[] { RoutingDriver.Vannas, RoutingDriver.Vannas, RoutingDriver.Bjurholm, RoutingDriver.Umea })
        {
            var call = await platform.PlaceCallAsync(dialled);
            await platform.ReportAsync(call.PlatformCallId, PlatformEventTypes.Ended);
        }

        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"))
            .ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var manager = await app.ClientForAsync(Roles.Manager);
        var split = await manager.GetFromJsonAsync<JsonElement>($"/api/statistics/cost-split?from={today}&to={today}&budget=3000000");
        var shares = split.GetProperty("municipalities").EnumerateArray().ToList();
        Assert.Equal(4, shares.Sum(s => s.GetProperty("calls").GetInt32()));

        // The key by hand: 25 000 kr per municipality and the rest by inhabitants.
        var population = shares.ToDictionary(s => s.GetProperty("municipalityCode").GetString()!, s => (decimal)s.GetProperty("population").GetInt32());
        var perInhabitant = (3_000_000m - 25_000m * shares.Count) / population.Values.Sum();
        var vannasKey = 25_000m + perInhabitant * population["2460"];
        var keyAmountText = Math.Round(vannasKey, 0, MidpointRounding.AwayFromZero).ToString("#,0", Invariant).Replace(',', ' ');
        var keyShareText = Math.Round(vannasKey / 3_000_000m * 100, 1, MidpointRounding.AwayFromZero).ToString("0.0", Invariant).Replace('.', ',');

        var page = await SignedInAsync(app, Roles.Manager);
        await page.GetByRole(AriaRole.Link, new() { Name = "Statistik" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "I dag" }).ClickAsync();
        await page.GetByLabel("Budget för perioden (kr)").FillAsync("3 000 000");
        await page.Keyboard.PressAsync("Enter");

        var vannas = page.Locator("#c-rows tr[data-municipality='2460']");
        await Assertions.Expect(vannas.Locator("th")).ToHaveTextAsync("Vännäs");
        await Assertions.Expect(vannas.Locator("td[data-column='calls']")).ToHaveTextAsync("2");
        await Assertions.Expect(vannas.Locator("td[data-column='callShare']")).ToHaveTextAsync("50,0 %");
        await Assertions.Expect(page.Locator("#c-rows tr[data-municipality='2403'] td[data-column='callShare']")).ToHaveTextAsync("25,0 %");
        await Assertions.Expect(vannas.Locator("td[data-column='keyAmount']")).ToHaveTextAsync($"{keyAmountText} kr");
        await Assertions.Expect(vannas.Locator("td[data-column='keyShare']")).ToHaveTextAsync($"{keyShareText} %");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = $"Kostnadsfördelning {today} – {today}, budget 3 000 000 kr" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "manager-cost-split");

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#c-export").ClickAsync());
        Assert.Equal($"kostnadsfordelning-{today}--{today}.csv", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync(await download.PathAsync(), Encoding.UTF8);
        Assert.StartsWith("Kommunkod;Kommun;Invånare;Samtal;Andel samtal;", text.TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Contains("\r\n2460;Vännäs;", text, StringComparison.Ordinal);
    }

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;
}

/// <summary>An operator on the hub over a real WebSocket to the Kestrel-hosted service, answering what it is offered.</summary>
public sealed class HubOperator : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Channel<CallOffer> _offers = Channel.CreateUnbounded<CallOffer>();

    private HubOperator(HubConnection connection) => _connection = connection;

    public static async Task<HubOperator> ConnectAsync(BrowserApp app)
    {
        var (account, _) = await app.CreateAccountAsync(Roles.Operator, "2403");
        var token = RoutingDriver.ServiceToken(app, account);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(new Uri(app.BaseAddress), SwitchboardHub.Path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        var op = new HubOperator(connection);
        connection.On<CallOffer>(nameof(ISwitchboardClient.OfferReceived), o => op._offers.Writer.TryWrite(o));
        await connection.StartAsync();
        await op.SetStatusAsync(OperatorStatuses.Available);
        return op;
    }

    public Task SetStatusAsync(string status, string? reason = null) =>
        _connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(status, reason));

    /// <summary>Takes the offer of this call, answers it as settled by the switchboard, and is available again.</summary>
    public async Task AnswerNextAsync(CallReceipt call)
    {
        using var timeout = new CancellationTokenSource(RoutingDriver.Patience);
        CallOffer offer;
        do
        {
            offer = await _offers.Reader.ReadAsync(timeout.Token);
        }
        while (offer.Call.Id != call.CallId);

        await _connection.InvokeAsync<CallView>("AcceptCall", call.CallId);
        await _connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(call.CallId, "information"));
        await SetStatusAsync(OperatorStatuses.Available);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
