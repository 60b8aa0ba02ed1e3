using Umearegionen.Switchboard.Answers;
using static Umearegionen.Switchboard.IntegrationTests.Answers.AnswersApiTests;

namespace Umearegionen.Switchboard.IntegrationTests.Answers;

/// <summary>Answers found where the operator already looks: the directory search and a call's view.</summary>
public sealed class AnswersFoundTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private const string Vindeln = "+4693314000";

    private DateOnly Today => AnswerStore.Today(app.Clock!.GetUtcNow());

    private async Task<SearchHit[]> SearchAsync(string query, string? municipality = null)
    {
        var client = await app.ClientForAsync(Roles.Operator);
        var response = await client.GetAsync($"/api/directory/search?q={Uri.EscapeDataString(query)}" + (municipality is null ? "" : $"&municipality={municipality}"));
        await EnsureAsync(response, HttpStatusCode.OK);
        return await ReadAsync<SearchHit[]>(response);
    }

    /// <summary>A made-up word unique to a test, so hits from other tests cannot match it.</summary>
    private static string Word(string stem) => stem + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6).ToArray());

    [Fact]
    public async Task SearchFindsAnAnswerByATypoAndWithoutÅÄÖBesideTheUnits()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var unit = await CreateUnitAsync(editor, "2460", Unique("VA-enheten"));
        var topic = Word("kokningsrekommendation");
        var answer = await CreateAsync(editor, Body("2460", $"Måste jag koka vattnet i Vännäs? {topic}",
            "Ja, koka dricksvattnet i tre minuter tills vidare.", topics: [topic], unitIds: [unit.Id]));

        var typo = await SearchAsync(topic.Remove(8, 1));
        var accentFree = await SearchAsync($"{topic} vannas");

        Assert.All([typo, accentFree], hits =>
        {
            var hit = Assert.Single(hits, h => h.Kind == "answer");
            Assert.Equal((answer.Id, answer.Question, answer.Answer), (hit.Id, hit.Title, hit.Detail));
            Assert.Equal(("2460", "Vännäs", unit.Id, unit.Name), (hit.MunicipalityCode, hit.MunicipalityName, hit.UnitId, hit.UnitName));
        });
    }

    [Fact]
    public async Task SearchOffersOnlyAnswersValidTodayAndSharedAnswersInEveryMunicipality()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var admin = await app.ClientForAsync(Roles.Administrator);
        var topic = Word("julstangning");
        var past = await CreateAsync(editor, Body("2403", $"Gammalt svar {topic}", topics: [topic], validTo: Today.AddDays(-1)));
        var future = await CreateAsync(editor, Body("2403", $"Kommande svar {topic}", topics: [topic], validFrom: Today.AddDays(1)));
        var current = await CreateAsync(editor, Body("2403", $"Dagens svar {topic}", topics: [topic], validFrom: Today, validTo: Today));
        var shared = await CreateAsync(admin, Body(null, $"Gemensamt svar {topic}", topics: [topic]));

        var inBjurholm = await SearchAsync(topic, "2403");
        var inUmea = await SearchAsync(topic, "2480");

        Assert.Equal(new[] { current.Id, shared.Id }.Order(), inBjurholm.Where(h => h.Kind == "answer").Select(h => h.Id).Order());
        Assert.DoesNotContain(inBjurholm, h => h.Id == past.Id || h.Id == future.Id);
        var sharedHit = Assert.Single(inUmea);
        Assert.Equal((shared.Id, null, null, null), (sharedHit.Id, sharedHit.MunicipalityCode, sharedHit.MunicipalityName, sharedHit.UnitId));
    }

    [Fact]
    public async Task AnAcceptedCallListsTheAnswersForItsMunicipalityAndMenuTopicAndANewAnswerAtOnce()
    {
        var vindeln = await app.ClientForAsync(Roles.Editor, "2404");
        var umea = await app.ClientForAsync(Roles.Editor, "2480");
        var topic = Word("slamtomning");
        var unit = await CreateUnitAsync(vindeln, "2404", Unique("Renhållning Vindeln"), [topic]);
        var vindelnsAnswer = await CreateAsync(vindeln, Body("2404", $"När töms slamavskiljaren? {topic}", "En gång om året, i juni.", topics: [topic]));
        await CreateAsync(umea, Body("2480", $"Umeås slamtömning {topic}", topics: [topic]));
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var first = await world.CallAsync(Vindeln, topic);
        await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(first.CallId);

        var answer = Assert.Single(accepted.Answers!);
        Assert.Equal((vindelnsAnswer.Id, vindelnsAnswer.Question, "En gång om året, i juni.", "2404", "topic"),
            (answer.Id, answer.Question, answer.Answer, answer.MunicipalityCode, answer.Why));
        Assert.Equal(unit.Id, accepted.Suggestions![0].Id);
        Assert.All(accepted.Suggestions, s => Assert.NotEqual("answer", s.Kind));
        var sync = await op.ResyncAsync();
        Assert.Equal(vindelnsAnswer.Id, Assert.Single(sync.CurrentCall!.Answers!).Id);

        // A second answer written while calls come in is listed with the next call (the kept list is dropped).
        var added = await CreateAsync(vindeln, Body("2404", $"Vad kostar slamtömning? {topic}", topics: [topic]));
        await op.AnswerAsync(first.CallId);
        var second = await world.CallAsync(Vindeln, topic);
        await op.NextOfferAsync();
        var acceptedAgain = await op.AcceptAsync(second.CallId);
        Assert.Equal(new[] { vindelnsAnswer.Id, added.Id }.Order(), acceptedAgain.Answers!.Select(a => a.Id).Order());
    }

    [Fact]
    public async Task ANoticePointingToAnAnswerListsItFirstWhileInForce()
    {
        var vannas = await app.ClientForAsync(Roles.Editor, "2460");
        var boil = await CreateAsync(vannas, Body("2460", Unique("Vattenläcka i Vännäs: kokningsrekommendation"),
            "Koka dricksvattnet i tre minuter tills vidare.", topics: ["vatten"]));
        var umeas = await CreateAsync(await app.ClientForAsync(Roles.Editor, "2480"), Body("2480", Unique("Umeås svar")));
        var notice = new { municipalityCode = "2460", topics = Array.Empty<string>(), text = "Vattenläcka i Vännäs",
            expiresAt = app.Clock!.GetUtcNow().AddHours(4), answerIds = new[] { boil.Id } };

        var refused = await vannas.PostAsJsonAsync("/api/notices", notice with { answerIds = new[] { boil.Id, umeas.Id } });
        var published = await vannas.PostAsJsonAsync("/api/notices", notice);
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var call = await world.CallAsync("+4693514000", Word("annat"));
        await op.NextOfferAsync();
        var accepted = await op.AcceptAsync(call.CallId);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["answerIds[1]"], await ErrorFieldsAsync(refused));
        await EnsureAsync(published, HttpStatusCode.Created);
        var view = await ReadAsync<Contracts.NoticeView>(published);
        Assert.Equal([boil.Id], view.AnswerIds!);
        var first = accepted.Answers![0];
        Assert.Equal((boil.Id, boil.Answer, "notice"), (first.Id, first.Answer, first.Why));

        // Withdrawn: the next call no longer lists it.
        await EnsureAsync(await vannas.DeleteAsync($"/api/notices/{view.Id}"), HttpStatusCode.NoContent);
        await op.AnswerAsync(call.CallId);
        var next = await world.CallAsync("+4693514000", Word("annat"));
        await op.NextOfferAsync();
        Assert.DoesNotContain((await op.AcceptAsync(next.CallId)).Answers ?? [], a => a.Id == boil.Id);
    }
}
