using System.Globalization;
using static Umearegionen.Switchboard.IntegrationTests.Statistics.CallHistory;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>No fixed sum, so any budget (one öre, or fewer öre than municipalities) can be split.</summary>
public sealed class CostSplitApp : SwitchboardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Statistics:CostKey:FixedPerMunicipality"] = "0",
    };
}

/// <summary>
/// The cost split adds up to the budget to the öre in every column, from the real database: calls in
/// May 2025 for Umeå, Bjurholm and Vännäs (thirds that do not divide evenly), none for the other three.
/// </summary>
public sealed class CostSplitTests(CostSplitApp app) : IClassFixture<CostSplitApp>, IAsyncLifetime
{
    private const string Period = "from=2025-05-01&to=2025-05-31";

    private readonly CallHistory _history = new(app);

    public async Task InitializeAsync()
    {
        if (await _history.ScalarAsync<long>("select count(*) from calls") > 0)
        {
            return;
        }

        var op = await _history.OperatorAsync();
        await _history.AddAsync(new PastCall("2480", Local(2025, 5, 6, 9, 0), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(61), "answered", op));
        await _history.AddAsync(new PastCall("2480", Local(2025, 5, 6, 9, 5), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(97), "transferred", op));
        await _history.AddAsync(new PastCall("2403", Local(2025, 5, 7, 10, 0), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(43), "answered", op));
        await _history.AddAsync(new PastCall("2460", Local(2025, 5, 8, 11, 0), TimeSpan.FromSeconds(30), null, "abandoned"));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("1234567.89")]
    [InlineData("0.01")]
    [InlineData("0.05")]          // fewer öre than the six municipalities
    [InlineData("0")]
    [InlineData("100")]
    [InlineData("1000000")]
    [InlineData("999999999999.99")]
    public async Task EveryColumnAddsUpToTheBudgetToTheOre(string budget)
    {
        var manager = await app.ClientForAsync("manager");

        var split = (await manager.GetFromJsonAsync<CostSplit>($"/api/statistics/cost-split?{Period}&budget={budget}"))!;

        AssertAddsUp(decimal.Parse(budget, CultureInfo.InvariantCulture), split);
        Assert.Equal(6, split.Municipalities.Count);
        var vindeln = split.Municipalities.Single(m => m.MunicipalityCode == "2404");
        Assert.Equal(0, vindeln.Calls);
        Assert.Equal(0m, vindeln.AmountByCalls);
    }

    [Fact]
    public async Task RandomBudgetsAlwaysAddUpExactly()
    {
        var manager = await app.ClientForAsync("manager");
        var random = new Random(2026);
        for (var i = 0; i < 60; i++)
        {
            // Whole öre from 1 to about 10^11, spread over the orders of magnitude.
            var ore = (long)Math.Pow(10, random.NextDouble() * 11) + random.Next(0, 100);
            var budget = ore / 100m;

            var split = (await manager.GetFromJsonAsync<CostSplit>(
                $"/api/statistics/cost-split?{Period}&budget={budget.ToString(CultureInfo.InvariantCulture)}"))!;

            AssertAddsUp(budget, split);
        }
    }

    [Fact]
    public async Task AMunicipalityRecomputesItsKeyAmountFromTheRateItsPopulationAndItsExtraOre()
    {
        var manager = await app.ClientForAsync("manager");

        var split = (await manager.GetFromJsonAsync<CostSplit>($"/api/statistics/cost-split?{Period}&budget=1234567.89"))!;

        // budget 1 234 567.89 with no fixed sum: the rate is budget / total population, exactly as a fraction.
        Assert.Equal(1_234_567.89m / split.Total.Population, split.PerInhabitant);
        foreach (var m in split.Municipalities)
        {
            // Rounded down to whole öre from the exact fraction, plus the extra öre the row states.
            var flooredOre = Math.Floor(123_456_789m * m.Population / split.Total.Population);
            Assert.Equal((flooredOre + m.KeyExtraOre) / 100m, m.KeyAmount);
            // The rate as published (28 significant digits) gives the same öre.
            Assert.Equal(flooredOre, Math.Floor(split.PerInhabitant * m.Population * 100m));
        }

        // By calls, 4 calls: Umeå 2 × 123 456 789 / 4 = 61 728 394.5 öre, Bjurholm and Vännäs 30 864 197.25 each;
        // the floors leave one öre, for the largest remainder (Umeå's .5).
        var byCode = split.Municipalities.ToDictionary(m => m.MunicipalityCode);
        Assert.Equal(617_283.95m, byCode["2480"].AmountByCalls);
        Assert.Equal(308_641.97m, byCode["2403"].AmountByCalls);
        Assert.Equal(308_641.97m, byCode["2460"].AmountByCalls);
    }

    [Fact]
    public async Task EqualRemaindersGiveTheExtraOreToTheLowerMunicipalityCode()
    {
        var manager = await app.ClientForAsync("manager");

        // 123 456 790 öre by 4 calls: Umeå 61 728 395 exactly, Bjurholm and Vännäs 30 864 197.5 each: one öre
        // left and a tie, which goes to Bjurholm (2403) before Vännäs (2460).
        var split = (await manager.GetFromJsonAsync<CostSplit>($"/api/statistics/cost-split?{Period}&budget=1234567.90"))!;

        var byCode = split.Municipalities.ToDictionary(m => m.MunicipalityCode);
        Assert.Equal(617_283.95m, byCode["2480"].AmountByCalls);
        Assert.Equal(308_641.98m, byCode["2403"].AmountByCalls);
        Assert.Equal(308_641.97m, byCode["2460"].AmountByCalls);
        Assert.Equal((0, 1, 0), (byCode["2480"].CallsExtraOre, byCode["2403"].CallsExtraOre, byCode["2460"].CallsExtraOre));
    }

    [Fact]
    public async Task TheCsvEndsWithATotalRowEqualToTheBudget()
    {
        var manager = await app.ClientForAsync("manager");

        var response = await manager.GetAsync($"/api/statistics/cost-split?{Period}&budget=1234567.89&format=csv");

        var lines = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n");
        var header = lines[0].Split(';');
        var total = lines.Single(l => l.StartsWith("Totalt;", StringComparison.Ordinal)).Split(';');
        foreach (var column in new[] { "Belopp enligt nyckel (kr)", "Belopp efter samtal (kr)", "Belopp efter minuter (kr)" })
        {
            var index = Array.IndexOf(header, column);
            Assert.Equal("1234567,89", total[index]);
            var rows = lines.Skip(1).TakeWhile(l => !l.StartsWith("Totalt;", StringComparison.Ordinal))
                .Sum(l => decimal.Parse(l.Split(';')[index].Replace(',', '.'), CultureInfo.InvariantCulture));
            Assert.Equal(1_234_567.89m, rows);
        }

        Assert.Equal("0", total[Array.IndexOf(header, "Nyckel minus minuter (kr)")]);
        var rate = lines.Single(l => l.StartsWith("Per invånare (kr);", StringComparison.Ordinal)).Split(';')[2];
        Assert.Equal((1_234_567.89m / 161_500m).ToString(CultureInfo.InvariantCulture).Replace('.', ','), rate);
    }

    [Fact]
    public async Task ABudgetInFractionsOfAnOreIsRefusedNamingTheBudget()
    {
        var manager = await app.ClientForAsync("manager");

        var response = await manager.GetAsync($"/api/statistics/cost-split?{Period}&budget=100.005");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"budget\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APeriodWithoutCallsHasNoAmountsByUseButTheKeyStillAddsUp()
    {
        var manager = await app.ClientForAsync("manager");

        var split = (await manager.GetFromJsonAsync<CostSplit>("/api/statistics/cost-split?from=2025-01-01&to=2025-01-31&budget=1000.01"))!;

        Assert.Equal(1000.01m, split.Municipalities.Sum(m => m.KeyAmount));
        Assert.All(split.Municipalities, m => Assert.Null(m.AmountByCalls));
        Assert.All(split.Municipalities, m => Assert.Null(m.AmountByMinutes));
        Assert.Null(split.Total.AmountByCalls);
    }

    private static void AssertAddsUp(decimal budget, CostSplit split)
    {
        Assert.Equal(budget, split.Municipalities.Sum(m => m.KeyAmount));
        Assert.Equal(budget, split.Municipalities.Sum(m => m.AmountByCalls!.Value));
        Assert.Equal(budget, split.Municipalities.Sum(m => m.AmountByMinutes!.Value));
        Assert.Equal(budget, split.Total.KeyAmount);
        Assert.Equal(budget, split.Total.AmountByCalls);
        Assert.Equal(budget, split.Total.AmountByMinutes);
        Assert.All(split.Municipalities, m =>
        {
            Assert.Equal(m.KeyAmount, Math.Round(m.KeyAmount, 2));
            Assert.InRange(m.KeyExtraOre, 0, 1);
            Assert.InRange(m.CallsExtraOre!.Value, 0, 1);
        });
        Assert.True(split.Municipalities.Sum(m => m.KeyExtraOre) < split.Municipalities.Count);
    }
}
