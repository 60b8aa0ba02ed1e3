using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Umearegionen.Switchboard.Routing;
using Umearegionen.Switchboard.IntegrationTests.Directory;

namespace Umearegionen.Switchboard.IntegrationTests.Routing;

/// <summary>
/// A call's suggestions carry each suggested unit's e-services and how many steps each has (docs/hub.md, Destinations);
/// the steps themselves are read from the unit when the operator asks for them.
/// </summary>
public sealed class SuggestedEServicesTests(RoutingApp app, ITestOutputHelper output) : IClassFixture<RoutingApp>
{
    private static string Letters(int n) => new(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Concat("abcdefgh").Take(n).ToArray());

    private static object Service(string name, int steps) => new
    {
        name, url = $"https://www.vannas.se/e-tjanster/{Letters(6)}",
        steps = steps == 0 ? null : Enumerable.Range(1, steps).Select(i => $"Steg {i}: logga in med BankID och fyll i uppgifterna om barnet.").ToArray(),
    };

    private async Task<Unit> UnitAsync(HttpClient editor, string name, string topic, params object[] services)
    {
        var response = await editor.PostAsJsonAsync("/api/directory/units", UnitBody("2460", Unique(name), topics: [topic], eServices: services));
        await EnsureAsync(response, HttpStatusCode.Created);
        return await ReadAsync<Unit>(response);
    }

    [Fact]
    public async Task ASuggestedUnitCarriesItsEServicesWithTheirStepCountAndTheUnitHasTheSteps()
    {
        var topic = "förskoleplats" + Letters(5);
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var preschool = await UnitAsync(editor, "Förskola Vännäs", topic, Service("Ansök om förskoleplats", 3), Service("Säg upp plats", 0));
        var person = await CreatePersonAsync(editor, preschool.Id, "Anna " + topic, "Rektor");
        await using var world = new RoutingDriver(app);

        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Vannas, topic);
        var offer = await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);

        Assert.Null(offer.Call.Suggestions);
        var unit = Assert.Single(accepted.Suggestions!, s => s.Kind == "unit" && s.UnitId == preschool.Id);
        Assert.Equal(
            [new SuggestedEService("Ansök om förskoleplats", preschool.EServices[0].Url!, 3), new SuggestedEService("Säg upp plats", preschool.EServices[1].Url!, 0)],
            unit.EServices!);
        Assert.Null(Assert.Single(accepted.Suggestions!, s => s.Kind == "person" && s.Id == person.Id).EServices);
        var read = (await editor.GetFromJsonAsync<Unit>($"/api/directory/units/{preschool.Id}", DirectoryApi.Json))!;
        Assert.Equal(3, read.EServices[0].Steps!.Count);

        // A step added goes into the next suggestions at once (the kept list is dropped on the change), and on request.
        var changed = await SendAsync(editor, HttpMethod.Put, $"/api/directory/units/{preschool.Id}", preschool.Version,
            UnitBody("2460", preschool.Name, topics: [topic], eServices: [Service("Ansök om förskoleplats", 4)]));
        await EnsureAsync(changed, HttpStatusCode.OK);
        var asked = await op.Connection.InvokeAsync<IReadOnlyList<SuggestedDestination>>("GetSuggestions", call.CallId);
        Assert.Equal(4, Assert.Single(Assert.Single(asked, s => s.Kind == "unit" && s.UnitId == preschool.Id).EServices!).StepCount);
        Assert.Equal(4, Assert.Single((await op.ResyncAsync()).CurrentCall!.Suggestions!, s => s.Kind == "unit" && s.UnitId == preschool.Id)
            .EServices![0].StepCount);
    }

    /// <summary>
    /// The size of a full list of 8 suggested units with 3 e-services of 5 steps each, as the hub's JSON writes it:
    /// without e-services (before), with e-services and step counts (as sent), and with the steps inline (not chosen).
    /// </summary>
    [Fact]
    public async Task SuggestionsCarryStepCountsNotStepsSoTheListStaysSmall()
    {
        var topic = "bygglov" + Letters(5);
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var units = new List<Unit>();
        for (var i = 0; i < Destinations.SuggestionCount; i++)
        {
            units.Add(await UnitAsync(editor, $"Bygglov {i}", topic, Service("Ansök om bygglov", 5), Service("Anmäl byggstart", 5), Service("Beställ karta", 5)));
        }

        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync(RoutingDriver.Vannas, topic);
        await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);
        Assert.Equal(Destinations.SuggestionCount, accepted.Suggestions!.Count);

        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var sent = JsonSerializer.SerializeToNode(accepted.Suggestions, options)!.AsArray();
        var before = sent.DeepClone().AsArray();
        foreach (var s in before)
        {
            s!.AsObject().Remove("eServices");
        }

        var inline = sent.DeepClone().AsArray();
        foreach (var s in inline)
        {
            var unit = units.Single(u => u.Id == s!["unitId"]!.GetValue<Guid>());
            s!["eServices"] = JsonSerializer.SerializeToNode(unit.EServices, options);
        }

        int Size(JsonNode node) => Encoding.UTF8.GetByteCount(node.ToJsonString(options));
        output.WriteLine($"8 suggestions: before {Size(before)} bytes, with e-services and step counts {Size(sent)} bytes, with the steps inline {Size(inline)} bytes");
        Assert.All(accepted.Suggestions, s => Assert.Equal([5, 5, 5], s.EServices!.Select(e => e.StepCount)));
        Assert.True(Size(sent) - Size(before) < (Size(inline) - Size(before)) / 3);
    }
}
