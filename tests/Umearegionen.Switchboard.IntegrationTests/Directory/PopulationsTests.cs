using Umearegionen.Switchboard.IntegrationTests.Statistics;

namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>Populations per year (municipality_populations, 0100_directory.sql) and which year's figures a cost split uses.</summary>
public sealed class PopulationsTests(CostSplitApp app) : IClassFixture<CostSplitApp>
{
    private static readonly Dictionary<string, int> Figures2024 = new()
    {
        ["2403"] = 2_431, ["2401"] = 7_046, ["2409"] = 6_772, ["2480"] = 132_235, ["2404"] = 5_393, ["2460"] = 8_944,
    };

    private static object Year(string referenceDate, IReadOnlyDictionary<string, int> figures, string source = "SCB, folkmängd 31 december") => new
    {
        referenceDate, source, municipalities = figures.Select(f => new { municipalityCode = f.Key, population = f.Value }).ToArray(),
    };

    [Fact]
    public async Task TheStartingFiguresAreTheSeedsFor2023()
    {
        var client = await app.ClientForAsync(Roles.Operator);

        var years = (await client.GetFromJsonAsync<PopulationYear[]>("/api/directory/populations", Json))!;

        var seed = years.Single(y => y.Year == 2023);
        Assert.True(seed.Seed);
        Assert.Equal(new DateOnly(2023, 12, 31), seed.ReferenceDate);
        Assert.Equal(131_000, seed.Municipalities.Single(m => m.MunicipalityCode == "2480").Population);
        Assert.Equal(7, seed.Municipalities.Count);
    }

    [Fact]
    public async Task AnAdministratorPutsAYearAndSplitsAfterItsReferenceDateUseIt()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var manager = await app.ClientForAsync(Roles.Manager);

        var put = await admin.PutAsJsonAsync("/api/directory/populations/2024", Year("2024-12-31", Figures2024), Json);
        var again = await admin.PutAsJsonAsync("/api/directory/populations/2024", Year("2024-12-31", Figures2024, "SCB, rättad"), Json);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var year = await ReadAsync<PopulationYear>(again);
        Assert.False(year.Seed);
        Assert.Equal("SCB, rättad", year.Source);
        Assert.Equal(132_235, year.Municipalities.Single(m => m.MunicipalityCode == "2480").Population);
        var history = await (await admin.GetAsync("/api/directory/populations")).Content.ReadAsStringAsync();
        Assert.Contains("\"year\":2024", history, StringComparison.Ordinal);

        // A period ending on or after 31 December 2024 uses 2024's figures.
        var after = (await manager.GetFromJsonAsync<CostSplit>("/api/statistics/cost-split?from=2025-01-01&to=2025-01-31&budget=1000", Json))!;
        Assert.Equal((2024, new DateOnly(2024, 12, 31), false), (after.PopulationYear, after.PopulationReferenceDate, after.PopulationFallback));
        Assert.Equal(Figures2024.Values.Sum(), after.Total.Population);
        Assert.All(after.Municipalities, m => Assert.Equal((Figures2024[m.MunicipalityCode], 2024), (m.Population, m.PopulationYear!.Value)));

        // A period ending on 30 December 2024 is before that reference date: 2023's seed.
        var before = (await manager.GetFromJsonAsync<CostSplit>("/api/statistics/cost-split?from=2024-12-01&to=2024-12-30&budget=1000", Json))!;
        Assert.Equal((2023, new DateOnly(2023, 12, 31), false), (before.PopulationYear, before.PopulationReferenceDate, before.PopulationFallback));
        Assert.Equal(161_500, before.Total.Population);

        // A period before every figure: the earliest year, said to be a fallback.
        var early = (await manager.GetFromJsonAsync<CostSplit>("/api/statistics/cost-split?from=2020-01-01&to=2020-01-31&budget=1000", Json))!;
        Assert.Equal((2023, true), (early.PopulationYear, early.PopulationFallback));

        var audit = await app.Service<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        await using (audit)
        {
            var actions = await Dapper.SqlMapper.QueryAsync<string>(audit,
                "select action from audit_log where entity_type = 'municipality_population' and entity_id = '2024' order by id");
            Assert.Equal(["created", "updated"], actions);
        }
    }

    [Theory]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Editor)]
    [InlineData(Roles.Operator)]
    public async Task OnlyAdministratorsPutFigures(string role)
    {
        var client = await app.ClientForAsync(role, "2480");

        var response = await client.PutAsJsonAsync("/api/directory/populations/2025", Year("2025-12-31", Figures2024), Json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task BadFiguresGetAProblemNamingEachField()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var figures = new object[]
        {
            new { municipalityCode = "2403", population = -1 },
            new { municipalityCode = "9999", population = 100 },
            new { municipalityCode = "2403", population = 100 },
        };

        var badYear = await admin.PutAsJsonAsync("/api/directory/populations/20x4", Year("2024-12-31", Figures2024), Json);
        var wrongDate = await admin.PutAsJsonAsync("/api/directory/populations/2024", Year("2025-01-01", Figures2024, source: ""), Json);
        var badFigures = await admin.PutAsJsonAsync("/api/directory/populations/2024",
            new { referenceDate = "2024-11-01", source = "SCB", municipalities = figures }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, badYear.StatusCode);
        Assert.Equal(["year"], await ErrorFieldsAsync(badYear));
        Assert.Equivalent(new[] { "referenceDate", "source" }, await ErrorFieldsAsync(wrongDate), strict: true);
        Assert.Equivalent(new[] { "municipalities[0].population", "municipalities[1].municipalityCode", "municipalities[2].municipalityCode", "municipalities" },
            await ErrorFieldsAsync(badFigures), strict: true);
    }
}

/// <summary>A database in which a served municipality has no population figure for any year (its own database).</summary>
public sealed class CostSplitWithoutPopulationTests(CostSplitApp app) : IClassFixture<CostSplitApp>
{
    [Fact]
    public async Task ASplitIsRefusedNamingTheMunicipalityWithoutFiguresAndWhereToEnterThem()
    {
        await using (var conn = new Npgsql.NpgsqlConnection(app.DatabaseConnectionString))
        {
            await conn.OpenAsync();
            await using var delete = new Npgsql.NpgsqlCommand("delete from municipality_populations where municipality_code = '2403'", conn);
            await delete.ExecuteNonQueryAsync();
        }

        var manager = await app.ClientForAsync(Roles.Manager);
        var response = await manager.GetAsync("/api/statistics/cost-split?from=2025-05-01&to=2025-05-31&budget=1000000");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var detail = await response.Content.ReadAsStringAsync();
        Assert.Contains("Bjurholm has no population figure", detail, StringComparison.Ordinal);
        Assert.Contains("PUT /api/directory/populations/{year}", detail, StringComparison.Ordinal);
    }
}
