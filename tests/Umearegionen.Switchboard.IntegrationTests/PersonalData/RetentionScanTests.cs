using System.Text.RegularExpressions;
using Umearegionen.Switchboard.IntegrationTests.Directory;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>The headline check of retention: past every horizon, no trace of a caller is left anywhere in the schema.</summary>
public sealed class RetentionScanTests(PersonalDataApp app) : IClassFixture<PersonalDataApp>
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    [Fact]
    public async Task PastEveryHorizonNoTraceOfTheCallerIsLeftInAnyColumnAndTheDaysStatisticsAreUnchanged()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var caller = PersonalDataWorld.NewCaller();
        var national = "0" + caller[3..];
        var written = $"{national[..3]}-{national[3..6]} {national[6..8]} {national[8..]}";
        var name = $"Gunhild Raderas{token}";
        var messageText = $"Vill prata om fakturan {token}";
        var callbackNote = $"Bygglov {token}, ring efter lunch";
        var followUpNote = $"Ringde {name}, svarade";
        var what = $"Vattenläcka utanför {name}s hus {token}";
        var referralReason = $"Sjukskriven {token}";
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock!.GetUtcNow(), Stockholm).DateTime);

        await using (var driver = new RoutingDriver(app))
        {
            var world = new PersonalDataWorld(app, driver);
            var op = await driver.OperatorAsync();
            await world.AnsweredAsync(op, caller, $"Bad oss ringa {written}, {name}");
            await world.CallbackAsync(op, caller, name, callbackNote, app.Clock.GetUtcNow().AddHours(2));
            await world.MessageAsync(op, caller, name, messageText, sent: true);
            await world.FaultReportAsync(op, caller, written, name, what);
        }

        // A member of staff's referral, with its reason, then back at work: the reason stays in the history.
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await DirectoryApi.CreateUnitAsync(editor, "2480", DirectoryApi.Unique("Socialtjänsten"));
        var person = await DirectoryApi.CreatePersonAsync(editor, unit.Id, DirectoryApi.Unique("Karin Handläggare"),
            referral: new { until = app.Clock.GetUtcNow().AddDays(7), reason = referralReason, referTo = "Växeln" });
        await DirectoryApi.EnsureAsync(await DirectoryApi.SendAsync(editor, HttpMethod.Put, $"/api/directory/people/{person.Id}", person.Version,
            new { unitId = unit.Id, name = person.Name, phone = person.Phone, email = person.Email }), HttpStatusCode.OK);

        // The callback's window passes and the unit records that it called back.
        app.Clock.Advance(TimeSpan.FromHours(4));
        var world2 = new PersonalDataWorld(app, null!);
        var callbackId = await world2.ScalarAsync<Guid>("select id from callbacks where note = @callbackNote", new { callbackNote });
        // The call came to Bjurholm's number: Bjurholm's editor follows it up.
        editor = await app.ClientForAsync(Roles.Editor, "2403");
        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsJsonAsync($"/api/callbacks/{callbackId}/follow-up", new { result = "kept", note = followUpNote })).StatusCode);

        var needles = new[] { name, messageText, callbackNote, followUpNote, what, referralReason, token };
        var numberPattern = string.Join("[^0-9]{0,3}", caller[3..].ToCharArray());
        Assert.NotEmpty(await TracesAsync(world2, numberPattern, needles)); // the scan finds them while they are there
        var before = await SummaryAsync(day);

        app.Clock.Advance(TimeSpan.FromDays(PersonalDataApp.FaultReportsDays + 1));
        var admin = await app.ClientForAsync(Roles.Administrator);
        var response = await admin.PostAsync("/api/personal-data/retention/run", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<RetentionRun>())!;
        Assert.Equal(("completed", 4, 1, 1, 1, 2), (run.Outcome, run.Calls, run.Callbacks, run.Messages, run.FaultReports, run.ReferralReasons));
        Assert.Empty(await TracesAsync(world2, numberPattern, needles));
        Assert.Equal(before, await SummaryAsync(day));
    }

    /// <summary>Every text, varchar, json, jsonb and text[] column of every table holding the number (in any written form) or a needle.</summary>
    private static async Task<IReadOnlyList<string>> TracesAsync(PersonalDataWorld world, string numberPattern, string[] needles)
    {
        var columns = await world.QueryAsync<(string Table, string Column)>("""
            select c.table_name, c.column_name
            from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
              and (c.data_type in ('text', 'character varying', 'json', 'jsonb') or (c.data_type = 'ARRAY' and c.udt_name = '_text'))
            order by 1, 2
            """);
        Assert.Contains(("calls", "caller_number"), columns);
        Assert.Contains(("audit_log", "after"), columns);
        var likes = needles.Select(n => "%" + n + "%").ToArray();
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            Assert.Matches(new Regex("^[a-z0-9_]+$"), table + column);
            var hits = await world.ScalarAsync<long>(
                $"""select count(*) from "{table}" where "{column}"::text ~ @numberPattern or "{column}"::text ilike any(@likes)""",
                new { numberPattern, likes });
            if (hits > 0)
            {
                found.Add($"{table}.{column}: {hits}");
            }
        }

        return found;
    }

    private async Task<string> SummaryAsync(DateOnly day)
    {
        var manager = await app.ClientForAsync(Roles.Manager);
        return await manager.GetStringAsync($"/api/statistics/summary?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}");
    }
}
