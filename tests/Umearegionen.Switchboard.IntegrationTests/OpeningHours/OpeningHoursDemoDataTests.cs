using Microsoft.Extensions.DependencyInjection;
using Umearegionen.Switchboard.OpeningHours;
using Umearegionen.Switchboard.OpeningHours.Domain;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.IntegrationTests.OpeningHours;

public sealed class OpeningHoursDemoDataTests(SwitchboardApp app) : IClassFixture<SwitchboardApp>
{
    [Fact]
    public async Task TheDemoGivesEveryDemoUnitValidHoursAndTheSwitchboardItsOwn()
    {
        var demo = app.Services.GetServices<IDemoData>().OrderBy(d => d.Order).ToList();
        // Opening hours are given to units the directory's demo created, so they load after it.
        Assert.True(demo.FindIndex(d => d is OpeningHoursDemoData) > demo.FindIndex(d => d is Switchboard.Directory.Demo.DirectoryDemoData));
        foreach (var data in demo)
        {
            if (!await data.IsLoadedAsync(CancellationToken.None))
            {
                await data.LoadAsync(CancellationToken.None);
            }
        }

        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        var ids = (await conn.QueryAsync<Guid>("select id from directory_units")).ToList();
        var units = await UnitRules.LoadAsync(conn, ids, CancellationToken.None);
        var evaluator = app.Service<OpeningHoursEvaluator>();
        var midsommarafton = SwedishCalendar.DaysOfYear(2026).Single(d => d.Key == "midsommarafton").Date;

        Assert.True(await demo[^1].IsLoadedAsync(CancellationToken.None));
        Assert.NotEmpty(ids);
        Assert.All(units.Values, u => Assert.NotNull(u.Rules));
        Assert.All(units.Values, u => Assert.Empty((u.Rules! with { WhenClosed = ClosedAction.None }).Validate()));
        Assert.Equal(6, await conn.ExecuteScalarAsync<int>("select count(*) from opening_hours_holiday_policies"));
        Assert.NotNull(await SwitchboardHoursApi.LoadAsync(conn, CancellationToken.None));

        // A home-care line answers at night; an office is closed on midsommarafton despite its summer hours.
        var homeCare = units.Values.First(u => u.UnitName.StartsWith("Hemtjänst ", StringComparison.Ordinal));
        Assert.True(evaluator.Evaluate(homeCare.Rules!, DateTimeOffset.Parse("2026-03-11T03:00:00+01:00")).IsOpen);
        var office = units.Values.First(u => u.UnitName == "Bygglov");
        var eve = evaluator.HoursOn(office.Rules!, midsommarafton);
        Assert.Empty(eve.Intervals);
        Assert.Equal("Midsommarafton", eve.Reason);
        Assert.Equal("Sommartider", evaluator.HoursOn(office.Rules!, midsommarafton.AddDays(3)).Reason);
    }
}
