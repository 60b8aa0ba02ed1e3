using Umearegionen.Switchboard.Directory.Demo;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.IntegrationTests.Directory;

/// <summary>A unit that owns a topic ranks above its local branches for that topic (docs/directory.md, "Ranking").</summary>
public sealed class SearchOwnersTests(SearchOwnersTests.App app) : IClassFixture<SearchOwnersTests.App>
{
    public sealed class App : SwitchboardApp
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await Service<IEnumerable<IDemoData>>().OfType<DirectoryDemoData>().Single().LoadAsync(default);
        }
    }

    private async Task<SearchHit[]> SearchAsync(HttpClient client, string query, int limit, string? municipality = null) =>
        (await client.GetFromJsonAsync<SearchHit[]>(
            $"/api/directory/search?q={Uri.EscapeDataString(query)}&limit={limit}" + (municipality is null ? "" : $"&municipality={municipality}"), Json))!;

    [Fact]
    public async Task PreschoolDepartmentRanksAboveItsLocalPreschoolsForForskoleplats()
    {
        var client = await app.ClientForAsync(Roles.Operator, "2480");
        var units = (await client.GetFromJsonAsync<Unit[]>("/api/directory/units", Json))!;
        var departments = units.Where(u => u is { Level: "department", Name: "Förskola" }).Select(u => u.Id).ToHashSet();
        var branches = units.Where(u => u.ParentId is { } p && departments.Contains(p)).Select(u => u.Id).ToHashSet();
        Assert.Equal(6, departments.Count);
        Assert.NotEmpty(branches);

        var hits = await SearchAsync(client, "förskoleplats", 40);

        // The six municipalities' preschool departments first, each with its topic; no local preschool before any of them.
        Assert.All(hits.Take(6), h => Assert.Equal(("topic", true), (h.Kind, departments.Contains(h.UnitId!.Value))));
        var lastDepartment = hits.Select((h, i) => (h, i)).Where(x => departments.Contains(x.h.UnitId!.Value)).Max(x => x.i);
        var firstBranch = hits.Select((h, i) => (h, i)).Where(x => branches.Contains(x.h.UnitId!.Value)).Min(x => x.i);
        Assert.True(lastDepartment < firstBranch, $"a local preschool at {firstBranch + 1} ranks above a department's hit at {lastDepartment + 1}");

        var umea = await SearchAsync(client, "förskoleplats", 20, "2480");
        Assert.Equal(("topic", "förskoleplats"), (umea[0].Kind, umea[0].Title));
        Assert.Contains(umea[0].UnitId!.Value, departments);
        Assert.Equal("e-service", umea[1].Kind);
        Assert.Contains(umea[1].UnitId!.Value, departments);
    }

    [Fact]
    public async Task AUnitCarryingATopicItsParentAlsoCarriesRanksBelowTheParentWhateverItsName()
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        var topic = "isbaneunderhåll" + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(4).ToArray());
        // The branch's name sorts first, and it sits two levels below the owner (under a unit without the topic).
        var owner = await CreateUnitAsync(admin, "2409", "Öster fritid", [topic]);
        var area = await CreateUnitAsync(admin, "2409", "Område norr", ["skridsko"], owner.Id);
        var branch = await CreateUnitAsync(admin, "2409", "Arena Vindeln", [topic], area.Id);
        var elsewhere = await CreateUnitAsync(admin, "2409", "Annan anläggning", [topic]);

        var hits = await SearchAsync(admin, topic, 10);

        var order = hits.Where(h => h.Kind == "topic").Select(h => h.UnitId).ToList();
        Assert.Equal(3, order.Count);
        // The owner and a unit with no ancestor carrying the topic are both owners (alphabetical between them); the branch comes last.
        Assert.Equal(branch.Id, order[^1]);
        Assert.Contains(owner.Id, order.Take(2));
        Assert.Contains(elsewhere.Id, order.Take(2));
    }
}
