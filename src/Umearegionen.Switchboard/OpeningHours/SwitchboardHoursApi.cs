namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>The switchboard's own hours: complete rules, including its holiday policy and closed action.</summary>
public sealed record SwitchboardHours(OpeningRules Rules, int Version, DateTimeOffset ReviewedAt, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>When the switchboard itself answers; administrators change it.</summary>
public static class SwitchboardHoursApi
{
    public const string EntityType = "switchboard-hours";
    public const string Id = "switchboard";
    private const string Name = "Växeln";

    public static void MapSwitchboardHours(RouteGroupBuilder reads, RouteGroupBuilder changes)
    {
        reads.MapGet("/switchboard", Get).WithSummary("The switchboard's own opening hours.");
        reads.MapGet("/switchboard/status", Status).WithSummary("Is the switchboard open at 'at' (default now)?");
        reads.MapGet("/switchboard/days/{date}", Day).WithSummary("The switchboard's hours on a date, with the reason for any deviation.");
        reads.MapGet("/switchboard/weeks/{anyDateInWeek}", Week).WithSummary("The switchboard's hours Monday to Sunday of the week containing the date.");
        reads.MapGet("/switchboard/history", History).WithSummary("Every change to the switchboard's hours.");
        changes.MapPut("/switchboard", Put).Accepts<OpeningRules>("application/json").RequireAuthorization(Policies.Administrators)
            .WithSummary("Set the switchboard's hours (administrators). Send the version you read in If-Match (\"0\" the first time).");
    }

    private static async Task<Results<Ok<SwitchboardHours>, ProblemHttpResult>> Get(NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await LoadAsync(conn, ct), h => h.Version, response,
            "The switchboard's hours have not been set yet; an administrator sets them with PUT and If-Match: \"0\".");
    }

    private static async Task<Results<Ok<SwitchboardHours>, ValidationProblem, ProblemHttpResult>> Put(
        HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock, OpeningHoursEvents events, CancellationToken ct)
    {
        var (rules, unreadable) = await OpeningHoursHttp.ReadBodyAsync<OpeningRules>(request, ct);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var errors = rules!.Validate().ToList();
        UnitHoursApi.AddLimits(rules.Weekly, rules.Exceptions, errors);
        if (errors.Count > 0)
        {
            return OpeningHoursHttp.Invalid(errors);
        }

        const string Insert = """
            insert into opening_hours_switchboard (id, weekly, exceptions, holidays, when_closed, version, reviewed_at, updated_at, updated_by_id, updated_by)
            values (true, @weekly::jsonb, @exceptions::jsonb, @holidays::jsonb, @whenClosed::jsonb, 1, @at, @at, @actorId, @actorName)
            """;
        const string Update = """
            update opening_hours_switchboard
            set weekly = @weekly::jsonb, exceptions = @exceptions::jsonb, holidays = @holidays::jsonb, when_closed = @whenClosed::jsonb,
                version = version + 1, reviewed_at = @at, updated_at = @at, updated_by_id = @actorId, updated_by = @actorName
            where id
            """;
        var outcome = await VersionedEdit.RunAsync(new VersionedEdit.Spec<SwitchboardHours, SwitchboardHours>
        {
            EntityType = EntityType,
            EntityId = Id,
            ZeroMeansNothingStored = true,
            // One row or none: a transaction lock stands in for the row's, so two first saves cannot both insert.
            Load = async (conn, tx, token) =>
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    "select pg_advisory_xact_lock(hashtext('opening_hours_switchboard'))", transaction: tx, cancellationToken: token));
                var before = await LoadAsync(conn, token);
                return new VersionedEdit.Held<SwitchboardHours>(before, before?.Version ?? 0, null, "The switchboard's hours");
            },
            NotFound = "The switchboard's hours cannot be found.",
            Forbidden = _ => "Only an administrator may change the switchboard's hours.",
            Write = async edit =>
            {
                var before = edit.Before.Entry;
                var args = new
                {
                    at = edit.Now, actorId = edit.Actor.Id, actorName = edit.Actor.Name,
                    weekly = OpeningHoursHttp.Serialize(rules.Weekly), exceptions = OpeningHoursHttp.Serialize(rules.Exceptions),
                    holidays = OpeningHoursHttp.Serialize(rules.Holidays), whenClosed = OpeningHoursHttp.Serialize(rules.WhenClosed),
                };
                await edit.Connection.ExecuteAsync(new CommandDefinition(before is null ? Insert : Update, args, edit.Transaction, cancellationToken: edit.Cancellation));
                var after = new SwitchboardHours(rules, edit.Before.Version + 1, edit.Now, edit.Now, edit.Actor.Name);
                return VersionedEdit.Saved(after, after.Version, before is null ? "created" : "updated", null,
                    before is null ? null : new { before.Rules, before.Version }, new { after.Rules, after.Version });
            },
            Publish = (after, now) => events.PublishAsync(new OpeningHoursChange(OpeningHoursEvents.Switchboard, Id, null, after.Version, now)),
        }, request.Headers[Versions.Header], user, dataSource, clock, request.HttpContext.Response, ct);
        return outcome.AsOk();
    }

    private static async Task<Results<Ok<OpeningStatus>, ValidationProblem>> Status(
        string? at, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, TimeProvider clock, IOptions<OpeningHoursOptions> options, CancellationToken ct)
    {
        if (!OpeningHoursViewsApi.TryInstant(at, clock, out var instant, out var bad))
        {
            return bad;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var hours = await LoadAsync(conn, ct);
        return TypedResults.Ok(OpeningHoursViewsApi.StatusOf(Id, Name, hours?.Rules, instant, evaluator, options.Value));
    }

    private static async Task<Results<Ok<DaySchedule>, ValidationProblem, ProblemHttpResult>> Day(
        string date, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, CancellationToken ct)
    {
        if (!OpeningHoursHttp.TryParseDate(date, out var day))
        {
            return OpeningHoursHttp.BadDate("date", date);
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(conn, ct) is { } hours
            ? TypedResults.Ok(evaluator.HoursOn(hours.Rules, day))
            : Problems.NotFound("The switchboard's hours have not been set yet.");
    }

    private static async Task<Results<Ok<IReadOnlyList<DaySchedule>>, ValidationProblem, ProblemHttpResult>> Week(
        string anyDateInWeek, NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, CancellationToken ct)
    {
        if (!OpeningHoursViewsApi.TryWeek(anyDateInWeek, out var day, out var bad))
        {
            return bad;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(conn, ct) is { } hours
            ? TypedResults.Ok(evaluator.Week(hours.Rules, day))
            : Problems.NotFound("The switchboard's hours have not been set yet.");
    }

    private static async Task<Ok<IReadOnlyList<AuditEntry>>> History(NpgsqlDataSource dataSource, CancellationToken ct) =>
        TypedResults.Ok(await OpeningHoursHttp.HistoryAsync(dataSource, EntityType, Id, ct));

    public static async Task<SwitchboardHours?> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string Sql = """
            select weekly::text as weekly, exceptions::text as exceptions, holidays::text as holidays, when_closed::text as when_closed,
                   version, reviewed_at, updated_at, updated_by
            from opening_hours_switchboard
            """;
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Sql, cancellationToken: ct));
        return row is null ? null : new SwitchboardHours(
            new OpeningRules(
                OpeningHoursHttp.Deserialize<WeeklySchedule>(row.Weekly),
                OpeningHoursHttp.Deserialize<List<DateException>>(row.Exceptions),
                OpeningHoursHttp.Deserialize<HolidayPolicy>(row.Holidays),
                OpeningHoursHttp.Deserialize<ClosedAction>(row.WhenClosed)),
            row.Version, row.ReviewedAt, row.UpdatedAt, row.UpdatedBy);
    }

    private sealed record Row(string Weekly, string Exceptions, string Holidays, string WhenClosed,
        int Version, DateTimeOffset ReviewedAt, DateTimeOffset UpdatedAt, string UpdatedBy);
}
