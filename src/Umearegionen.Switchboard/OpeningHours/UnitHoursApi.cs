namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>What an editor sends for a unit: its own hours. The closed action is the directory unit's.</summary>
public sealed record UnitHoursRequest(WeeklySchedule? Weekly, IReadOnlyList<DateException>? Exceptions, HolidayPolicyOverride? HolidayOverride);

/// <summary>A unit's stored hours with what it inherits: the effective holiday policy and the directory's closed action.</summary>
public sealed record UnitHours(
    Guid UnitId, string UnitName, string MunicipalityCode,
    WeeklySchedule Weekly, IReadOnlyList<DateException> Exceptions, HolidayPolicyOverride? HolidayOverride,
    HolidayPolicy Holidays, ClosedAction WhenClosed,
    int Version, DateTimeOffset ReviewedAt, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>Reading and changing a unit's weekly schedule, exceptions and holiday override.</summary>
public static class UnitHoursApi
{
    public const string EntityType = "opening-hours";
    public const int MaxExceptions = 500;
    public const int MaxReasonLength = 200;
    public const int MaxIntervalsPerDay = 24;

    public static void MapUnitHours(RouteGroupBuilder reads, RouteGroupBuilder changes)
    {
        reads.MapGet("/units/{unitId:guid}", Get)
            .WithSummary("A unit's opening hours, with the holiday policy it ends up with and what callers are offered when closed (from the directory).");
        reads.MapGet("/units/{unitId:guid}/history", History).WithSummary("Every change to a unit's opening hours: who, when, before and after.");
        changes.MapPut("/units/{unitId:guid}", Put).Accepts<UnitHoursRequest>("application/json")
            .WithSummary("Set a unit's opening hours. Send the version you read in If-Match (\"0\" when it has none yet).");
        changes.MapPost("/units/{unitId:guid}/review", Review).WithSummary("Confirm that a unit's opening hours are still right.");
    }

    private static async Task<Results<Ok<UnitHours>, ProblemHttpResult>> Get(
        Guid unitId, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var unit = await UnitRules.LoadAsync(conn, unitId, ct);
        if (unit is null)
        {
            return Problems.NotFound($"No unit has id {unitId}.");
        }

        if (unit.Hours is null)
        {
            return Problems.NotFound($"The unit '{unit.UnitName}' has no opening hours yet, so its status is unknown. " +
                                     "An editor sets them with PUT and If-Match: \"0\".");
        }

        response.Headers.ETag = Versions.ETag(unit.Hours.Version);
        return TypedResults.Ok(ToUnitHours(unit));
    }

    private static async Task<Results<Ok<UnitHours>, ValidationProblem, ProblemHttpResult>> Put(
        Guid unitId, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock,
        OpeningHoursEvents events, CancellationToken ct)
    {
        var (body, unreadable) = await OpeningHoursHttp.ReadBodyAsync<UnitHoursRequest>(request, ct);
        if (unreadable is not null)
        {
            return unreadable;
        }

        if (Validate(body!) is { } invalid)
        {
            return invalid;
        }

        var outcome = await VersionedEdit.RunAsync(new VersionedEdit.Spec<UnitWithRules, UnitWithRules>
        {
            EntityType = EntityType,
            EntityId = unitId.ToString(),
            ZeroMeansNothingStored = true,
            // The unit's row is locked, so two first saves of its hours (version 0) cannot both insert.
            Load = async (conn, tx, token) =>
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    "select 1 from directory_units where id = @unitId for update", new { unitId }, tx, cancellationToken: token));
                return await UnitRules.LoadAsync(conn, unitId, token) is { } unit
                    ? new VersionedEdit.Held<UnitWithRules>(unit, unit.Hours?.Version ?? 0, unit.MunicipalityCode, $"The opening hours of '{unit.UnitName}'")
                    : null;
            },
            NotFound = $"No unit has id {unitId}.",
            Forbidden = owner => $"You may change only your own municipality's opening hours; this unit belongs to {owner}.",
            Write = async edit =>
            {
                var unit = edit.Before.Entry!;
                var after = new StoredUnitHours(body!.Weekly!, body.Exceptions!, body.HolidayOverride, edit.Before.Version + 1, edit.Now, edit.Now, edit.Actor.Name);
                await SaveAsync(edit.Connection, edit.Transaction, unitId, edit.Before.Version, after, edit.Actor, edit.Cancellation);
                return VersionedEdit.Saved(unit with { Hours = after }, after.Version, edit.Before.Version == 0 ? "created" : "updated",
                    unit.MunicipalityCode, AuditShape(unit.Hours), AuditShape(after));
            },
            Publish = (after, now) => events.PublishAsync(
                new OpeningHoursChange(OpeningHoursEvents.Unit, unitId.ToString(), after.MunicipalityCode, after.Hours!.Version, now)),
        }, request.Headers[Versions.Header], user, dataSource, clock, request.HttpContext.Response, ct);
        return outcome.After is { } saved ? TypedResults.Ok(ToUnitHours(saved)) : new VersionedEdit.Outcome<UnitHours>(null, outcome.Refusal).AsOk();
    }

    /// <summary>Insert when nothing was stored (version 0), else update the version the editor read (its row is locked).</summary>
    private static async Task SaveAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid unitId, int sent, StoredUnitHours hours, Actor actor, CancellationToken ct)
    {
        const string Insert = """
            insert into opening_hours_units (unit_id, weekly, exceptions, holiday_override, version, reviewed_at, updated_at, updated_by_id, updated_by)
            values (@unitId, @weekly::jsonb, @exceptions::jsonb, @holidayOverride::jsonb, 1, @at, @at, @actorId, @actorName)
            on conflict (unit_id) do nothing
            """;
        const string Update = """
            update opening_hours_units
            set weekly = @weekly::jsonb, exceptions = @exceptions::jsonb, holiday_override = @holidayOverride::jsonb,
                version = version + 1, reviewed_at = @at, updated_at = @at, updated_by_id = @actorId, updated_by = @actorName
            where unit_id = @unitId and version = @sent
            """;
        var args = new
        {
            unitId, sent, at = hours.UpdatedAt, actorId = actor.Id, actorName = actor.Name,
            weekly = OpeningHoursHttp.Serialize(hours.Weekly),
            exceptions = OpeningHoursHttp.Serialize(hours.Exceptions),
            holidayOverride = hours.HolidayOverride is null ? null : OpeningHoursHttp.Serialize(hours.HolidayOverride),
        };
        if (await conn.ExecuteAsync(new CommandDefinition(sent == 0 ? Insert : Update, args, tx, cancellationToken: ct)) != 1)
        {
            throw new InvalidOperationException($"The opening hours of unit {unitId} changed although its row was locked.");
        }
    }

    private static async Task<Results<Ok<UnitHours>, ProblemHttpResult>> Review(
        Guid unitId, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock, OpeningHoursEvents events, CancellationToken ct)
    {
        const string Sql = "update opening_hours_units set reviewed_at = @at where unit_id = @unitId";
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var unit = await UnitRules.LoadAsync(conn, unitId, ct);
        if (unit?.Hours is null)
        {
            return Problems.NotFound(unit is null ? $"No unit has id {unitId}." : $"The unit '{unit.UnitName}' has no opening hours to review.");
        }

        if (!user.MayEdit(unit.MunicipalityCode))
        {
            return Problems.Forbidden($"You may review only your own municipality's opening hours; '{unit.UnitName}' belongs to {unit.MunicipalityCode}.");
        }

        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(Sql, new { unitId, at = now }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, EntityType, unitId.ToString(), unit.MunicipalityCode, "reviewed", null, null);
        await tx.CommitAsync(ct);

        await events.PublishAsync(new OpeningHoursChange(OpeningHoursEvents.Unit, unitId.ToString(), unit.MunicipalityCode, unit.Hours.Version, now));
        return TypedResults.Ok(ToUnitHours(unit with { Hours = unit.Hours with { ReviewedAt = now } }));
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ProblemHttpResult>> History(
        Guid unitId, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (await UnitRules.LoadAsync(conn, unitId, ct) is null)
        {
            return Problems.NotFound($"No unit has id {unitId}.");
        }

        return TypedResults.Ok(await Audit.HistoryAsync(conn, EntityType, unitId.ToString(), ct));
    }

    private static ValidationProblem? Validate(UnitHoursRequest body)
    {
        // The closed action is the directory's and is checked there; only the unit's own parts are checked here.
        var rules = new OpeningRules(body.Weekly!, body.Exceptions!, HolidayPolicy.Default.Merge(body.HolidayOverride), ClosedAction.None);
        var errors = rules.Validate().ToList();
        AddLimits(body.Weekly, body.Exceptions, errors);
        return errors.Count == 0
            ? null
            : OpeningHoursHttp.Invalid(errors, path => path.StartsWith("Holidays", StringComparison.Ordinal) ? "HolidayOverride" + path["Holidays".Length..] : path);
    }

    /// <summary>Bounds that keep a document readable for operators and cheap to evaluate.</summary>
    internal static void AddLimits(WeeklySchedule? weekly, IReadOnlyList<DateException>? exceptions, List<RuleError> errors)
    {
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            if (weekly?.For(day) is { Count: > MaxIntervalsPerDay } ranges)
            {
                errors.Add(new($"Weekly.{day}", $"At most {MaxIntervalsPerDay} intervals a day (there are {ranges.Count})."));
            }
        }

        if (exceptions is null)
        {
            return;
        }

        if (exceptions.Count > MaxExceptions)
        {
            errors.Add(new("Exceptions", $"At most {MaxExceptions} exceptions (there are {exceptions.Count}); remove those that have passed."));
        }

        for (int i = 0; i < exceptions.Count; i++)
        {
            if (exceptions[i]?.Reason is { Length: > MaxReasonLength } reason)
            {
                errors.Add(new($"Exceptions[{i}].Reason", $"The reason must be at most {MaxReasonLength} characters (it has {reason.Length})."));
            }
        }
    }

    private static UnitHours ToUnitHours(UnitWithRules unit)
    {
        var hours = unit.Hours!;
        return new UnitHours(unit.UnitId, unit.UnitName, unit.MunicipalityCode, hours.Weekly, hours.Exceptions, hours.HolidayOverride,
            unit.MunicipalityPolicy.Merge(hours.HolidayOverride), unit.WhenClosed,
            hours.Version, hours.ReviewedAt, hours.UpdatedAt, hours.UpdatedBy);
    }

    private static object? AuditShape(StoredUnitHours? hours) => hours is null
        ? null
        : new { hours.Weekly, hours.Exceptions, hours.HolidayOverride, hours.Version };
}
