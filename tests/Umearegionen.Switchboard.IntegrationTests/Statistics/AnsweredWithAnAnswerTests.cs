using Umearegionen.Switchboard.Answers;
using Umearegionen.Switchboard.Routing;
using static Umearegionen.Switchboard.IntegrationTests.Answers.AnswersApiTests;

namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>
/// Answered with an answer (docs/answers.md) and its statistics (docs/metrics.md, "Answers and first-contact
/// resolution"): calls ended by a real operator on the hub. Each test keeps to its own municipality and topics.
/// </summary>
public sealed class AnsweredWithAnAnswerTests(RoutingApp app) : IClassFixture<RoutingApp>
{
    private const string Robertsfors = "+4693414000";
    private const string Nordmaling = "+4693014000";
    private const string Vindeln = "+4693314000";

    private DateOnly Today => AnswerStore.Today(app.Clock!.GetUtcNow());

    private static string Word(string stem) => stem + new string(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6).ToArray());

    private static Task<CallView> AnswerWithAsync(OperatorClient op, Guid callId, Guid? answerId, string category = "information") =>
        op.Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(callId, category, AnswerId: answerId));

    private static async Task<Guid> TakeAsync(RoutingDriver world, OperatorClient op, string dialled, string? topic)
    {
        var call = await world.CallAsync(dialled, topic);
        await op.NextOfferAsync();
        await op.AcceptAsync(call.CallId);
        return call.CallId;
    }

    private async Task<AnswerStatistics> StatisticsAsync(string municipality, HttpClient? client = null)
    {
        client ??= await app.ClientForAsync(Roles.Manager);
        var response = await client.GetAsync($"/api/statistics/answers?from={Today:yyyy-MM-dd}&to={Today:yyyy-MM-dd}&municipality={municipality}");
        await EnsureAsync(response, HttpStatusCode.OK);
        return await ReadAsync<AnswerStatistics>(response);
    }

    /// <summary>Stands in for the SMS/e-mail link sender (another feature): the call event it writes when a link is sent.</summary>
    private async Task StandInForTheLinkSenderAsync(Guid callId, Guid answerId)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.ExecuteAsync("""
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            values (@callId, 'link_sent', now(), 'test-link-sender', jsonb_build_object('answerId', @answerId::text, 'channel', 'sms'))
            """, new { callId, answerId });
    }

    [Fact]
    public async Task ACallAnsweredWithAnAnswerKeepsWhichAnswerAndItsHistorySaysBesvaradMedSvar()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var topic = Word("bygglov");
        var answer = await CreateAsync(editor, Body("2409", $"Hur söker jag bygglov? {topic}", topics: [topic]));
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var callId = await TakeAsync(world, op, Robertsfors, topic);

        var view = await AnswerWithAsync(op, callId, answer.Id, "vägledning");

        Assert.Equal((CallStates.Completed, CallOutcomes.Answered), (view.State, view.Outcome));
        Assert.Equal((answer.Id, answer.Question), (await world.ScalarAsync<Guid>("select answer_id from call_answers where call_id = @callId", new { callId }),
            await world.ScalarAsync<string>("select question from call_answers where call_id = @callId", new { callId })));
        var history = await ReadAsync<CallHistoryView>(await (await app.ClientForAsync(Roles.Manager)).GetAsync($"/api/calls/{callId}"));
        Assert.Equal(CallOutcomes.Answered, history.Call.Outcome);
        var completed = Assert.Single(history.Timeline, e => e.Type == "completed");
        Assert.Equal((answer.Id, answer.Question, "vägledning"), (completed.AnswerId, completed.AnswerQuestion, completed.WrapUpCategory));
        Assert.Contains(answer.Question, completed.Summary);
    }

    [Fact]
    public async Task AnAnswerThatDoesNotExistIsOutOfDateOrIsAnotherMunicipalitysIsRefusedAndTheCallGoesOn()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var expired = await CreateAsync(editor, Body("2409", Word("Gammalt svar "), validTo: Today.AddDays(-1)));
        var future = await CreateAsync(editor, Body("2409", Word("Kommande svar "), validFrom: Today.AddDays(1)));
        var umeas = await CreateAsync(await app.ClientForAsync(Roles.Editor, "2480"), Body("2480", Word("Umeås svar ")));
        var shared = await CreateAsync(await app.ClientForAsync(Roles.Administrator), Body(null, Word("Gemensamt svar ")));
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var callId = await TakeAsync(world, op, Robertsfors, null);

        foreach (var refused in new[] { Guid.NewGuid(), expired.Id, future.Id, umeas.Id })
        {
            var error = await Assert.ThrowsAsync<HubException>(() => AnswerWithAsync(op, callId, refused));
            Assert.Equal(HubErrors.Invalid, HubErrors.Read(error.Message)?.Code);
            Assert.StartsWith("answerId", HubErrors.Read(error.Message)?.Text);
            Assert.Equal(CallStates.Connected, (await world.CallRecordAsync(callId)).State);
        }

        // A shared answer fits every municipality's call.
        var view = await AnswerWithAsync(op, callId, shared.Id);
        Assert.Equal(CallStates.Completed, view.State);
        Assert.Equal(0L, await world.ScalarAsync<long>(
            "select count(*) from call_answers where answer_id = any (@ids)", new { ids = new[] { expired.Id, future.Id, umeas.Id } }));
    }

    [Fact]
    public async Task FirstContactResolutionIsCallsSettledByTheSwitchboardWithOrWithoutAnAnswerOverAnsweredCalls()
    {
        // Nordmaling today: A answered with an answer and B without (topic t), C transferred (topic u),
        // D abandoned in the queue: answered 3, settled by the switchboard 2 (1 with an answer) → 2/3.
        var editor = await app.ClientForAsync(Roles.Editor, "2401");
        var (t, u) = (Word("parkering"), Word("skola"));
        var answer = await CreateAsync(editor, Body("2401", Word("Var parkerar jag? "), topics: [t]));
        var unitId = (await OpeningHours.OpeningHoursTestApi.NewUnitAsync(app, "2401", "Skolkontoret")).ToString();
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var before = await StatisticsAsync("2401");

        await AnswerWithAsync(op, await TakeAsync(world, op, Nordmaling, t), answer.Id);
        await AnswerWithAsync(op, await TakeAsync(world, op, Nordmaling, t), null);
        var c = await TakeAsync(world, op, Nordmaling, u);
        await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(c, "blind", new Destination("unit", unitId, null, "Skolkontoret"), "koppling"));
        await op.SetStatusAsync(OperatorStatuses.Paused, "test");
        var d = await world.CallAsync(Nordmaling, u);
        await (await world.PlatformAsync()).ReportAsync(d.PlatformCallId, PlatformEventTypes.Ended, "hung-up");
        var after = await StatisticsAsync("2401");

        var m = Assert.Single(after.ByMunicipality);
        var was = before.ByMunicipality.SingleOrDefault() ?? new FirstContactRow("2401", "Nordmaling", 0, 0, 0, null);
        Assert.Equal(("2401", "Nordmaling", 3, 2, 1), (m.Key, m.Label, m.Answered - was.Answered, m.ResolvedBySwitchboard - was.ResolvedBySwitchboard,
            m.WithAnswer - was.WithAnswer));
        Assert.Equal((after.Total.Answered, after.Total.ResolvedBySwitchboard, after.Total.Rate), (m.Answered, m.ResolvedBySwitchboard, m.Rate));
        Assert.Equal(new FirstContactRow(t, t, 2, 2, 1, 1.0), Assert.Single(after.ByTopic, r => r.Key == t));
        Assert.Equal(new FirstContactRow(u, u, 1, 0, 0, 0.0), Assert.Single(after.ByTopic, r => r.Key == u));
        var used = Assert.Single(after.Answers, a => a.AnswerId == answer.Id);
        Assert.Equal((1, Math.Round(1.0 / after.Total.Answered, 4)), (used.TimesUsed, used.ShareOfAnswered));
        if (before.ByMunicipality.Count == 0)
        {
            Assert.Equal(Math.Round(2.0 / 3, 4), m.Rate);
        }
    }

    [Fact]
    public async Task EachAnswerCountsItsUsesAndTheUsesWithItsLinkSentAndTheValidAnswersInScopeNeverUsedAreListed()
    {
        var vindeln = await app.ClientForAsync(Roles.Editor, "2404");
        var topic = Word("slamtomning");
        var used = await CreateAsync(vindeln, Body("2404", Word("När töms slamavskiljaren? "), topics: [topic]));
        var other = await CreateAsync(vindeln, Body("2404", Word("Vad kostar slamtömning? "), topics: [topic]));
        var expired = await CreateAsync(vindeln, Body("2404", Word("Förra årets taxa "), validTo: Today.AddDays(-1)));
        var shared = await CreateAsync(await app.ClientForAsync(Roles.Administrator), Body(null, Word("Gemensamt oanvänt ")));
        var umeas = await CreateAsync(await app.ClientForAsync(Roles.Editor, "2480"), Body("2480", Word("Umeås oanvända ")));
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();

        var first = await TakeAsync(world, op, Vindeln, topic);
        await StandInForTheLinkSenderAsync(first, used.Id);
        await AnswerWithAsync(op, first, used.Id);
        var second = await TakeAsync(world, op, Vindeln, topic);
        await StandInForTheLinkSenderAsync(second, other.Id); // a link of another answer: not this answer's
        await AnswerWithAsync(op, second, used.Id);
        var s = await StatisticsAsync("2404");

        var row = Assert.Single(s.Answers, a => a.AnswerId == used.Id);
        Assert.Equal((used.Question, "2404", false, 2, 1), (row.Question, row.MunicipalityCode, row.Removed, row.TimesUsed, row.WithLinkSent));
        var unused = s.Unused.Select(a => a.AnswerId).ToHashSet();
        Assert.Contains(other.Id, unused);
        Assert.Contains(shared.Id, unused);
        Assert.DoesNotContain(used.Id, unused);
        Assert.DoesNotContain(expired.Id, unused); // not valid in the period
        Assert.DoesNotContain(umeas.Id, unused);   // not in Vindeln's scope
        Assert.Contains(umeas.Id, (await StatisticsAsync("2480")).Unused.Select(a => a.AnswerId));

        // A removed answer keeps its uses, under the question it had.
        await EnsureAsync(await SendAsync(vindeln, HttpMethod.Delete, $"/api/answers/{used.Id}", used.Version, null), HttpStatusCode.NoContent);
        var removed = Assert.Single((await StatisticsAsync("2404")).Answers, a => a.AnswerId == used.Id);
        Assert.Equal((used.Question, true, 2), (removed.Question, removed.Removed, removed.TimesUsed));
    }

    [Fact]
    public async Task ACallTransferredWhileAnAnswerExistedForItsMunicipalityAndTopicIsListedUnderItsTopicAsItWasThen()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2460");
        var (covered, uncovered, later) = (Word("snorojning"), Word("okant"), Word("senare"));
        var answer = await CreateAsync(editor, Body("2460", Word("När plogas min gata? "), topics: [covered.ToUpperInvariant()]));
        await CreateAsync(await app.ClientForAsync(Roles.Editor, "2480"), Body("2480", Word("Umeås svar "), topics: [uncovered]));
        var unitId = (await OpeningHours.OpeningHoursTestApi.NewUnitAsync(app, "2460", "Gatukontoret")).ToString();
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        async Task<Guid> TransferAsync(string topic)
        {
            var id = await TakeAsync(world, op, RoutingDriver.Vannas, topic);
            await op.Connection.InvokeAsync<CallView>("TransferCall",
                new TransferRequest(id, "blind", new Destination("unit", unitId, null, "Gatukontoret"), "koppling"));
            return id;
        }

        var despite = await TransferAsync(covered);
        await TransferAsync(uncovered); // only another municipality has an answer for it
        await TransferAsync(later);     // its answer is written after the transfer
        await CreateAsync(editor, Body("2460", Word("Skrivet efteråt "), topics: [later]));
        await EnsureAsync(await SendAsync(editor, HttpMethod.Delete, $"/api/answers/{answer.Id}", answer.Version, null), HttpStatusCode.NoContent);
        var s = await StatisticsAsync("2460");

        var topic = Assert.Single(s.TransferredDespiteAnswers.ByTopic);
        Assert.Equal((covered, 1), (topic.Topic, topic.Count));
        var call = Assert.Single(topic.Calls);
        Assert.Equal((despite, "2460"), (call.CallId, call.MunicipalityCode));
        Assert.StartsWith("Gatukontoret", call.UnitName); // the directory's name for the unit, as the transfer stored it
        Assert.Equal([answer.Id], call.AnswerIds);
        Assert.Equal([answer.Question], call.Questions);
        Assert.Equal(1, s.TransferredDespiteAnswers.Count);
    }

    [Fact]
    public async Task TheAnswerFiguresFromTheRollupEqualThoseComputedFromEachCallsFact()
    {
        // Umeå: a call answered with an answer whose link was sent, one answered without, one transferred although
        // an answer existed, one abandoned.
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var topic = Word("avfall");
        var answer = await CreateAsync(editor, Body("2480", Word("När hämtas soporna? "), topics: [topic]));
        var unitId = (await OpeningHours.OpeningHoursTestApi.NewUnitAsync(app, "2480", "Renhållningen")).ToString();
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        var first = await TakeAsync(world, op, RoutingDriver.Umea, topic);
        await StandInForTheLinkSenderAsync(first, answer.Id);
        await AnswerWithAsync(op, first, answer.Id);
        await AnswerWithAsync(op, await TakeAsync(world, op, RoutingDriver.Umea, topic), null);
        var moved = await TakeAsync(world, op, RoutingDriver.Umea, topic);
        await op.Connection.InvokeAsync<CallView>("TransferCall",
            new TransferRequest(moved, "blind", new Destination("unit", unitId, null, "Renhållningen"), "koppling"));
        await op.SetStatusAsync(OperatorStatuses.Paused, "test");
        var gone = await world.CallAsync(RoutingDriver.Umea, topic);
        await (await world.PlatformAsync()).ReportAsync(gone.PlatformCallId, PlatformEventTypes.Ended, "hung-up");

        await using var conn = await app.Service<NpgsqlDataSource>().OpenConnectionAsync();
        foreach (var municipality in new[] { null, "2480" })
        {
            var period = new StatisticsPeriod(Today.AddDays(-1), Today);
            var fromRollup = await AnswerStatisticsQueries.BuildAsync(conn, period, municipality, default);
            var fromFacts = await AnswerStatisticsQueries.BuildAsync(conn, period, municipality, default, fromFacts: true);

            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(fromFacts), System.Text.Json.JsonSerializer.Serialize(fromRollup));
            Assert.Contains(fromRollup.Answers, a => a.AnswerId == answer.Id && a.TimesUsed == 1 && a.WithLinkSent == 1);
            Assert.Contains(fromRollup.TransferredDespiteAnswers.ByTopic, t => t.Topic == topic && t.Count == 1);
        }

        Assert.Equal(0L, await world.ScalarAsync<long>("""
            select count(*) from ((select * from call_answer_daily except all select * from call_answer_daily_recomputed)
                                  union all (select * from call_answer_daily_recomputed except all select * from call_answer_daily)) d
            """));
    }

    [Fact]
    public async Task AnEditorSeesOnlyTheirOwnMunicipalitysAnswerFiguresAndBadQueriesNameTheField()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2409");
        var day = $"from={Today:yyyy-MM-dd}&to={Today:yyyy-MM-dd}";

        var own = await editor.GetAsync($"/api/statistics/answers?{day}");
        var another = await editor.GetAsync($"/api/statistics/answers?{day}&municipality=2480");
        var asOperator = await (await app.ClientForAsync(Roles.Operator, "2409")).GetAsync($"/api/statistics/answers?{day}");
        var bad = await editor.GetAsync("/api/statistics/answers?from=2026-13-01&to=2026-12-01&table=pivot&format=xml");
        var unknown = await (await app.ClientForAsync(Roles.Manager)).GetAsync($"/api/statistics/answers?{day}&municipality=9999");

        await EnsureAsync(own, HttpStatusCode.OK);
        var figures = await ReadAsync<AnswerStatistics>(own);
        Assert.Equal("2409", figures.Municipality);
        Assert.All(figures.ByMunicipality, r => Assert.Equal("2409", r.Key));
        Assert.All(figures.Unused, a => Assert.True(a.MunicipalityCode is null or "2409"));
        Assert.Equal(HttpStatusCode.Forbidden, another.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asOperator.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["format", "from", "table"], (await ErrorFieldsAsync(bad)).Order());
        Assert.Equal(["municipality"], await ErrorFieldsAsync(unknown));
    }

    [Fact]
    public async Task TheAnswerFiguresComeAsSwedishExcelCsvWithEachTable()
    {
        var editor = await app.ClientForAsync(Roles.Editor, "2403");
        var answer = await CreateAsync(editor, Body("2403", Word("Öppettider; biblioteket ")));
        await using var world = new RoutingDriver(app);
        var op = await world.OperatorAsync();
        await AnswerWithAsync(op, await TakeAsync(world, op, RoutingDriver.Bjurholm, null), answer.Id);
        await AnswerWithAsync(op, await TakeAsync(world, op, RoutingDriver.Bjurholm, null), null);
        var manager = await app.ClientForAsync(Roles.Manager);
        var day = $"from={Today:yyyy-MM-dd}&to={Today:yyyy-MM-dd}&municipality=2403&format=csv";

        var answers = await manager.GetAsync($"/api/statistics/answers?{day}");
        var resolution = await manager.GetAsync($"/api/statistics/answers?{day}&table=resolution");
        var transferred = await manager.GetAsync($"/api/statistics/answers?{day}&table=transferred");

        foreach (var response in new[] { answers, resolution, transferred })
        {
            await EnsureAsync(response, HttpStatusCode.OK);
            Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Equal(Encoding.UTF8.GetPreamble(), (await response.Content.ReadAsByteArrayAsync())[..3]);
        }

        var lines = Encoding.UTF8.GetString((await answers.Content.ReadAsByteArrayAsync())[3..]).Split("\r\n");
        Assert.Equal("Svar-id;Fråga;Kommunkod;Använt;Med länk skickad;Andel av besvarade samtal;Borttaget", lines[0]);
        var row = Assert.Single(lines, l => l.StartsWith(answer.Id.ToString(), StringComparison.Ordinal)).Split(';');
        Assert.Equal("2403", row[^5]);
        Assert.Equal("1", row[^4]);
        Assert.Equal("0,5", row[^2]); // one of Bjurholm's two answered calls (this class's database has no others)
        Assert.Contains($"\"{answer.Question}\"", lines.Single(l => l.StartsWith(answer.Id.ToString(), StringComparison.Ordinal)));
        Assert.StartsWith("Grupp;Nyckel;Namn;Besvarade;Besvarade av växeln;Med svar;Lösta vid första kontakten",
            Encoding.UTF8.GetString((await resolution.Content.ReadAsByteArrayAsync())[3..]));
        Assert.StartsWith("Menyval;Samtals-id;Köade;Kommunkod;Kopplat till;Svar som fanns",
            Encoding.UTF8.GetString((await transferred.Content.ReadAsByteArrayAsync())[3..]));
    }
}
