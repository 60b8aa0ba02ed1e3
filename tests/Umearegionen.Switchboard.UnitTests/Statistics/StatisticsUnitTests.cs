using System.Text;
using Umearegionen.Switchboard.Statistics;

namespace Umearegionen.Switchboard.UnitTests.Statistics;

public sealed class StatisticsPeriodTests
{
    [Theory]
    [InlineData("2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28")] // a month compares with the month before
    [InlineData("2026-01-01", "2026-03-31", "2025-10-01", "2025-12-31")] // a quarter with the quarter before
    [InlineData("2024-03-01", "2024-03-31", "2024-02-01", "2024-02-29")] // leap year
    [InlineData("2026-03-09", "2026-03-15", "2026-03-02", "2026-03-08")] // a week with the week before
    [InlineData("2026-03-10", "2026-03-10", "2026-03-09", "2026-03-09")] // a day with the day before
    [InlineData("2026-03-02", "2026-03-31", "2026-01-31", "2026-03-01")] // not whole months: as many days before
    public void ThePreviousPeriodIsTheSameLengthJustBefore(string from, string to, string previousFrom, string previousTo)
    {
        var previous = new StatisticsPeriod(DateOnly.Parse(from), DateOnly.Parse(to)).Previous();

        Assert.Equal(DateOnly.Parse(previousFrom), previous.From);
        Assert.Equal(DateOnly.Parse(previousTo), previous.To);
    }
}

public sealed class MetricsTests
{
    [Fact]
    public void ServiceLevelLeavesShortAbandonsOutOfTheDenominator()
    {
        // 8 answered (6 in time), 4 abandoned of which 1 short: 6 / (8 + 4 − 1).
        var counts = MetricCounts.Empty("") with { Offered = 12, Answered = 8, Abandoned = 4, ShortAbandoned = 1, AnsweredWithinTarget = 6, AnsweredWaitSum = 100, HandleSum = 800, WaitP90 = 30, Transferred = 4, BounceBacks = 1, ClosedDestinations = 2 };

        var m = Metrics.From(counts);

        Assert.Equal(0.5455, m.ServiceLevel);
        Assert.Equal(0.6667, m.AnswerRate);
        Assert.Equal(12.5, m.AverageSpeedOfAnswerSeconds);
        Assert.Equal(100, m.AverageHandleSeconds);
        Assert.Equal(0.25, m.BounceBackRate);
        Assert.Equal(2, m.ClosedDestinations);
    }

    [Fact]
    public void NoCallsGiveNoRatiosRatherThanZero()
    {
        var m = Metrics.From(MetricCounts.Empty(""));

        Assert.Null(m.ServiceLevel);
        Assert.Null(m.AnswerRate);
        Assert.Null(m.AverageSpeedOfAnswerSeconds);
        Assert.Null(m.SpeedOfAnswerP90Seconds);
        Assert.Null(m.BounceBackRate);
    }

    [Fact]
    public void OnlyShortAbandonsGiveNoServiceLevel()
    {
        var m = Metrics.From(MetricCounts.Empty("") with { Offered = 2, Abandoned = 2, ShortAbandoned = 2 });
        Assert.Null(m.ServiceLevel);
        Assert.Equal(0, m.AnswerRate);
    }

    [Fact]
    public void OccupancyIsHandledTimeOverStaffedTime()
    {
        Assert.Equal(0.25, Occupancy.Of(900, 3600));
        Assert.Null(Occupancy.Of(900, 0));
    }
}

public sealed class CostKeyTests
{
    private static readonly MunicipalityUse[] Uses =
    [
        new("2403", "Bjurholm", 2_400, 2023, new DateOnly(2023, 12, 31), 10, 600),
        new("2480", "Umeå", 131_000, 2023, new DateOnly(2023, 12, 31), 30, 1_800),
    ];

    [Fact]
    public void TheDerivedPerInhabitantAmountMakesTheKeyAddUpToTheBudget()
    {
        var key = new CostKeyOptions { FixedPerMunicipality = 50_000m };
        var (perInhabitant, problem) = CostKey.PerInhabitant(1_000_000m, key, Uses);

        Assert.Null(problem);
        Assert.Equal(900_000m / 133_400m, perInhabitant);
        var (split, total) = CostKey.Split(1_000_000m, 50_000m, null, Uses);
        Assert.Equal(66_191.90m, split[0].KeyAmount);  // 50 000 + 2 400 × 900 000 / 133 400
        Assert.Equal(933_808.10m, split[1].KeyAmount);
        Assert.Equal(0.25, split[0].CallShare);
        Assert.Equal(250_000m, split[0].AmountByMinutes);
        Assert.Equal(-183_808.10m, split[0].KeyMinusMinutes);
        Assert.Equal(10.0, split[0].HandledMinutes);
        Assert.Equal(1_000_000m, total.KeyAmount);
    }

    [Fact]
    public void AConfiguredPerInhabitantAmountSetsTheSharesAppliedToTheBudget()
    {
        var key = new CostKeyOptions { FixedPerMunicipality = 0m, PerInhabitant = 10m };
        var (perInhabitant, _) = CostKey.PerInhabitant(500_000m, key, Uses);
        var (split, _) = CostKey.Split(500_000m, 0m, perInhabitant!.Value, Uses);

        Assert.Equal(10m, perInhabitant);
        Assert.Equal(0.018, split[0].KeyShare);                           // 24 000 / 1 334 000
        Assert.Equal(500_000m, split.Sum(s => s.KeyAmount));
    }

    [Fact]
    public void ABudgetBelowTheFixedSumsIsRefused()
    {
        var (perInhabitant, problem) = CostKey.PerInhabitant(90_000m, new CostKeyOptions { FixedPerMunicipality = 50_000m }, Uses);
        Assert.Null(perInhabitant);
        Assert.Contains("at least", problem);
    }

    [Fact]
    public void NoCallsGiveZeroUseSharesAndNoAmountsByUseNotAnError()
    {
        var idle = Uses.Select(u => u with { Calls = 0, HandledSeconds = 0 }).ToList();
        var (split, total) = CostKey.Split(100_000m, 0m, 1m, idle);
        Assert.All(split, s => Assert.Equal(0, s.CallShare));
        Assert.All(split, s => Assert.Null(s.AmountByCalls));
        Assert.All(split, s => Assert.Null(s.AmountByMinutes));
        Assert.Null(total.AmountByCalls);
        Assert.Equal(100_000m, split.Sum(s => s.KeyAmount));
    }

    [Fact]
    public void EverySplitOfRandomBudgetsUsesAndKeysAddsUpToTheBudgetAndNoRowIsOffByAnOreOrMore()
    {
        var random = new Random(26);
        for (var i = 0; i < 2000; i++)
        {
            var n = random.Next(1, 8);
            var uses = Enumerable.Range(0, n).Select(k => new MunicipalityUse(
                (2400 + k).ToString(System.Globalization.CultureInfo.InvariantCulture), "M" + k, random.Next(0, 200_000), 2023,
                new DateOnly(2023, 12, 31), random.Next(0, 3) == 0 ? 0 : random.Next(0, 5000), random.Next(0, 3) == 0 ? 0 : random.Next(0, 500_000)))
                .OrderBy(_ => random.Next()).ToList();
            var budget = (long)Math.Pow(10, random.NextDouble() * 12) / 100m;
            var fixedSum = random.Next(0, 2) == 0 ? 0m : Math.Round((decimal)random.NextDouble() * budget / n, 3);
            decimal? rate = random.Next(0, 3) == 0 ? Math.Round((decimal)random.NextDouble() * 50, 5) : null;

            var (split, total) = CostKey.Split(budget, fixedSum, rate, uses);

            Assert.Equal(budget, split.Sum(s => s.KeyAmount));
            Assert.Equal(budget, total.KeyAmount);
            if (uses.Sum(u => u.Calls) > 0)
            {
                Assert.Equal(budget, split.Sum(s => s.AmountByCalls!.Value));
                foreach (var s in split)
                {
                    // Within one öre of the exact share.
                    var exact = budget * s.Calls / uses.Sum(u => (decimal)u.Calls);
                    Assert.True(Math.Abs(exact - s.AmountByCalls!.Value) < 0.01m, $"{exact} vs {s.AmountByCalls}");
                }
            }

            if (uses.Sum(u => u.HandledSeconds) > 0)
            {
                Assert.Equal(budget, split.Sum(s => s.AmountByMinutes!.Value));
            }
        }
    }

    [Fact]
    public void TheLeftOverOreGoToTheLargestRemaindersAndTiesToTheLowerCode()
    {
        // 10 öre in thirds: 3.33 each, one öre left; all remainders equal, so the lowest code gets it,
        // whatever the order of the list.
        var codes = new[] { "2480", "2401", "2403" };
        var split = CostKey.Apportion(10, [1, 1, 1], codes)!;
        Assert.Equal([3L, 4L, 3L], split.Amounts);
        Assert.Equal([0, 1, 0], split.Extra);

        // 100 öre by 1:2:4 = 14.29, 28.57, 57.14: floors 14 + 28 + 57 = 99, the largest remainder (4/7) is the second's.
        var weighted = CostKey.Apportion(100, [1, 2, 4], ["a", "b", "c"])!;
        Assert.Equal([14L, 29L, 57L], weighted.Amounts);
        Assert.Null(CostKey.Apportion(100, [0, 0], ["a", "b"]));
    }
}

public sealed class CsvTests
{
    [Fact]
    public void CellsUseDecimalCommaAndQuoteWhatWouldBreakAColumn()
    {
        var text = Encoding.UTF8.GetString(new Csv().Row("Umeå", 0.8123, 1234.5m, 42, null, "a;b", "say \"hi\"", "=SUM(A1)").ToBytes());

        Assert.Equal("\uFEFFUmeå;0,8123;1234,5;42;;\"a;b\";\"say \"\"hi\"\"\";'=SUM(A1)\r\n", text);
    }
}

public sealed class DimensionsTests
{
    [Theory]
    [InlineData(null, "none")]
    [InlineData("Municipality", "municipality")]
    [InlineData("municipality, month", "municipality,month")]
    [InlineData("colour", null)]
    [InlineData("month,month", null)]
    [InlineData("none,month", null)]
    [InlineData("unit,topic,hour", null)]
    public void ASliceIsOneOrTwoKnownDimensions(string? by, string? expected)
    {
        var errors = new Umearegionen.Switchboard.Platform.FieldErrors();
        Assert.Equal(expected, Dimensions.Parse(by, errors));
        Assert.Equal(expected is null, errors.Any);
    }

    [Theory]
    [InlineData("none", Dimensions.Source.Daily, null)]
    [InlineData("municipality,month", Dimensions.Source.Daily, null)]
    [InlineData("weekday", Dimensions.Source.Daily, null)]
    [InlineData("unit", Dimensions.Source.Slices, "unit")]
    [InlineData("municipality,hour", Dimensions.Source.Slices, "hour")]
    [InlineData("topic,weekday", Dimensions.Source.Slices, "topic")]
    [InlineData("operator,month", Dimensions.Source.Slices, "operator")]
    [InlineData("unit,topic", Dimensions.Source.Pairs, "unit,topic")]
    [InlineData("topic,unit", Dimensions.Source.Pairs, "unit,topic")]
    [InlineData("operator,hour", Dimensions.Source.Facts, null)]
    [InlineData("wrapUpCategory,operator", Dimensions.Source.Facts, null)]
    public void ASliceWithAtMostOneOfUnitTopicOperatorHourAndWrapUpCategoryOrUnitWithTopicComesFromARollup(
        string by, Dimensions.Source source, string? dimension)
    {
        Assert.Equal(source, Dimensions.SourceOf(by));
        Assert.Equal(dimension, Dimensions.SliceDimension(by));
        Assert.Equal(source != Dimensions.Source.Facts, Dimensions.FromRollup(by));
        Assert.Equal(by == "topic,unit", Dimensions.IsReversedPair(by));
    }

    [Fact]
    public void RowsByDayOrMonthAreNotComparedRowByRow()
    {
        Assert.False(Dimensions.ComparesRowByRow("municipality,month"));
        Assert.True(Dimensions.ComparesRowByRow("unit,weekday"));
    }

    [Theory]
    [InlineData("2025-01-01", "2025-12-31", "unit", "2025-01-01", "2026-01-01")]   // a year: twelve whole months
    [InlineData("2025-01-15", "2025-04-10", "topic", "2025-02-01", "2025-04-01")]  // February and March whole
    [InlineData("2025-03-02", "2025-03-31", "hour", "2025-03-02", "2025-03-02")]   // no whole month: none
    [InlineData("2025-03-01", "2025-03-31", "unit,day", "2025-03-01", "2025-03-01")] // by day: days only
    [InlineData("2025-03-01", "2025-03-31", "weekday", "2025-03-01", "2025-03-01")]
    [InlineData("2024-02-01", "2024-02-29", "operator", "2024-02-01", "2024-03-01")] // leap February is whole
    public void WholeMonthsOfAPeriodAreReadFromTheMonthlyHistogram(string from, string to, string by, string monthsFrom, string monthsTo)
    {
        var months = SummaryQueries.WholeMonths(new StatisticsPeriod(DateOnly.Parse(from), DateOnly.Parse(to)), by);

        Assert.Equal((DateOnly.Parse(monthsFrom), DateOnly.Parse(monthsTo)), months);
    }
}
