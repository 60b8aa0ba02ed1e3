using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>
/// Typical hours for the demo directory's units, chosen by kind of unit (offices with a lunch
/// closure, preschools, libraries, a round-the-clock home-care line running past midnight), summer
/// hours for the offices, holiday policies closing at 15:00 the day before a holiday, and the
/// switchboard's own hours. Deterministic: the same directory gives the same hours.
/// </summary>
public sealed class OpeningHoursDemoData(NpgsqlDataSource dataSource, TimeProvider time) : IDemoData
{
    private static readonly Actor DemoActor = new("demo", "Demodata");

    /// <summary>After the directory (10), whose units get the hours.</summary>
    public int Order => 20;

    public async Task<bool> IsLoadedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from opening_hours_switchboard) or exists (select 1 from opening_hours_units)", cancellationToken: ct));
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        const string Units = "select id, municipality_code, level, name from directory_units order by municipality_code, name, id";
        const string Policy = """
            insert into opening_hours_holiday_policies (municipality_code, policy, version, updated_at, updated_by_id, updated_by)
            values (@code, @policy::jsonb, 1, @at, @actorId, @actorName)
            on conflict (municipality_code) do nothing
            """;
        const string Hours = """
            insert into opening_hours_units (unit_id, weekly, exceptions, holiday_override, version, reviewed_at, updated_at, updated_by_id, updated_by)
            values (@id, @weekly::jsonb, @exceptions::jsonb, @holidayOverride::jsonb, 1, @at, @at, @actorId, @actorName)
            on conflict (unit_id) do nothing
            """;
        const string Switchboard = """
            insert into opening_hours_switchboard (id, weekly, exceptions, holidays, when_closed, version, reviewed_at, updated_at, updated_by_id, updated_by)
            values (true, @weekly::jsonb, '[]', @holidays::jsonb, @whenClosed::jsonb, 1, @at, @at, @actorId, @actorName)
            on conflict (id) do nothing
            """;

        var now = time.GetUtcNow();
        var who = new { at = now, actorId = DemoActor.Id, actorName = DemoActor.Name };
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var units = (await conn.QueryAsync<UnitRow>(new CommandDefinition(Units, transaction: tx, cancellationToken: ct))).ToList();

        foreach (var code in units.Select(u => u.MunicipalityCode).Distinct())
        {
            await conn.ExecuteAsync(new CommandDefinition(Policy,
                new { code, policy = OpeningHoursHttp.Serialize(MunicipalityPolicy), who.at, who.actorId, who.actorName }, tx, cancellationToken: ct));
            await Audit.RecordAsync(conn, tx, DemoActor, now, HolidayPolicyApi.EntityType, code, code, "created", null, new { Policy = MunicipalityPolicy, Version = 1 });
        }

        var summerYears = new[] { now.Year, now.Year + 1 };
        foreach (var unit in units)
        {
            var (weekly, exceptions, holidayOverride) = HoursFor(unit, summerYears);
            await conn.ExecuteAsync(new CommandDefinition(Hours, new
            {
                unit.Id, weekly = OpeningHoursHttp.Serialize(weekly), exceptions = OpeningHoursHttp.Serialize(exceptions),
                holidayOverride = holidayOverride is null ? null : OpeningHoursHttp.Serialize(holidayOverride),
                who.at, who.actorId, who.actorName,
            }, tx, cancellationToken: ct));
            await Audit.RecordAsync(conn, tx, DemoActor, now, UnitHoursApi.EntityType, unit.Id.ToString(), unit.MunicipalityCode, "created", null,
                new { Weekly = weekly, Exceptions = exceptions, HolidayOverride = holidayOverride, Version = 1 });
        }

        await conn.ExecuteAsync(new CommandDefinition(Switchboard, new
        {
            weekly = OpeningHoursHttp.Serialize(SwitchboardRules.Weekly), holidays = OpeningHoursHttp.Serialize(SwitchboardRules.Holidays),
            whenClosed = OpeningHoursHttp.Serialize(SwitchboardRules.WhenClosed), who.at, who.actorId, who.actorName,
        }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, DemoActor, now, SwitchboardHoursApi.EntityType, SwitchboardHoursApi.Id, null, "created", null,
            new { Rules = SwitchboardRules, Version = 1 });
        await tx.CommitAsync(ct);
    }

    private static readonly HolidayPolicy MunicipalityPolicy = HolidayPolicy.Default with { DayBeforeHoliday = DayTreatment.CloseEarly(new(15, 0)) };

    public static readonly OpeningRules SwitchboardRules = new(
        WeeklySchedule.MondayToFriday(R(7, 30, 17, 0)),
        [],
        MunicipalityPolicy,
        new ClosedAction(ClosedActionKind.Message,
            Text: "Växeln är stängd och öppnar nästa vardag 07:30. Vid fara för liv, hälsa eller egendom: ring 112."));

    /// <summary>Hours by kind of unit, recognised by level and name as the demo directory names them.</summary>
    internal static (WeeklySchedule Weekly, IReadOnlyList<DateException> Exceptions, HolidayPolicyOverride? Override) HoursFor(
        UnitRow unit, IReadOnlyList<int> summerYears)
    {
        var name = unit.Name;
        if (name.StartsWith("Hemtjänst", StringComparison.Ordinal) && unit.Level == "unit")
        {
            // Samordnaren in the daytime, the night patrol's line from 16:00 to 07:00 next morning, every day of the year.
            var allDay = DayTreatment.Normal;
            return (WeeklySchedule.EveryDay(R(7, 0, 16, 0), R(16, 0, 7, 0)), [],
                new HolidayPolicyOverride { PublicHoliday = allDay, Paskafton = allDay, Midsommarafton = allDay, Julafton = allDay, Nyarsafton = allDay, DayBeforeHoliday = allDay });
        }

        if (name.StartsWith("Förskola", StringComparison.Ordinal) && unit.Level == "unit")
        {
            return (WeeklySchedule.MondayToFriday(R(6, 30, 18, 0)), [], null);
        }

        if (name.StartsWith("Grundskola", StringComparison.Ordinal) && unit.Level == "unit")
        {
            return (WeeklySchedule.MondayToFriday(R(7, 30, 16, 0)), [], null);
        }

        if (name.StartsWith("Bibliotek", StringComparison.Ordinal) && unit.Level == "unit")
        {
            var weekday = new[] { R(10, 0, 19, 0) };
            return (new WeeklySchedule
            {
                Monday = weekday, Tuesday = weekday, Wednesday = weekday, Thursday = weekday,
                Friday = [R(10, 0, 16, 0)], Saturday = [R(11, 0, 15, 0)],
            }, [], new HolidayPolicyOverride { DayBeforeHoliday = DayTreatment.CloseEarly(new(14, 0)) });
        }

        // Offices: administrations without, departments with a lunch closure; shorter days in summer.
        var weekly = unit.Level == "administration"
            ? WeeklySchedule.MondayToFriday(R(8, 0, 16, 30))
            : WeeklySchedule.MondayToFriday(R(8, 0, 12, 0), R(13, 0, 16, 30));
        IReadOnlyList<DayOfWeek> mondayToFriday = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
        var summers = summerYears.Select(y => new DateException(
            new DateOnly(y, 6, 15), new DateOnly(y, 8, 14), Closed: false, [R(8, 0, 15, 0)], "Sommartider", mondayToFriday)).ToList();
        return (weekly, summers, null);
    }

    private static TimeRange R(int startHour, int startMinute, int endHour, int endMinute) =>
        new(new TimeOnly(startHour, startMinute), new TimeOnly(endHour, endMinute));

    internal sealed record UnitRow(Guid Id, string MunicipalityCode, string Level, string Name);
}
