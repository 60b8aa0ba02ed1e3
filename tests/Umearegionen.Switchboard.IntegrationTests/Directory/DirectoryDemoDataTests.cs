using Umearegionen.Switchboard.Directory.Demo;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.IntegrationTests.Directory;

public sealed class DirectoryDemoDataTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task DemoDirectoryLoadsOnceForTheSixServedMunicipalitiesAndIsSearchable()
    {
        var demo = app.Service<IEnumerable<IDemoData>>().OfType<DirectoryDemoData>().Single();
        Assert.False(await demo.IsLoadedAsync(default));

        await demo.LoadAsync(default);

        Assert.True(await demo.IsLoadedAsync(default));
        var client = await app.ClientForAsync(Roles.Operator, "2403");
        var units = (await client.GetFromJsonAsync<Unit[]>("/api/directory/units", Json))!;
        Assert.Equal(["2401", "2403", "2404", "2409", "2460", "2480"], units.Select(u => u.MunicipalityCode).Distinct().Order());
        Assert.True(units.Count(u => u.MunicipalityCode == "2480") > units.Count(u => u.MunicipalityCode == "2403"));
        var people = (await client.GetFromJsonAsync<Person[]>("/api/directory/people", Json))!;
        Assert.Contains(people, p => p.Referral is not null);
        Assert.All(units.SelectMany(u => u.EServices), e =>
            Assert.Contains(new Uri(e.Url!).Host, new[] { "www.umea.se", "www.vannas.se", "www.nordmaling.se", "www.robertsfors.se", "www.vindeln.se", "www.bjurholm.se" }));

        var socialjour = await client.GetFromJsonAsync<SearchHit[]>("/api/directory/search?q=socialjour&municipality=2460", Json);
        var hit = Assert.Single(socialjour!, h => h.Kind == "topic");
        Assert.Equal("on-call", hit.WhenClosed.Kind);
        Assert.StartsWith("+46935", hit.WhenClosed.Phone);
    }

    [Fact]
    public void DemoDirectoryIsTheSameEveryTime()
    {
        var m = DemoCatalogue.Municipalities[0];
        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

        var first = DemoDirectory.Generate(m, 100, 300, DirectoryDemoData.Seed, at);
        var second = DemoDirectory.Generate(m, 100, 300, DirectoryDemoData.Seed, at);

        Assert.Equal(first.Select(r => string.Join(";", r.Fields.OrderBy(f => f.Key))), second.Select(r => string.Join(";", r.Fields.OrderBy(f => f.Key))));
    }
}
