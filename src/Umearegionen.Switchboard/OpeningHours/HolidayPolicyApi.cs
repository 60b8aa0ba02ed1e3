namespace Umearegionen.Switchboard.OpeningHours;

/// <param name="IsDefault">True while the municipality has stored no policy of its own (version 0).</param>
public sealed record MunicipalityHolidayPolicy(
    string MunicipalityCode, HolidayPolicy Policy, bool IsDefault, int Version, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>Each municipality's treatment of holidays, eves and days before holidays; units inherit it.</summary>
public static class HolidayPolicyApi
{
    public const string EntityType = "holiday-policy";

    public static void MapHolidayPolicies(RouteGroupBuilder reads, RouteGroupBuilder changes)
    {
        reads.MapGet("/municipalities/{code}/holiday-policy", Get)
            .WithSummary("A municipality's holiday policy (the default until it stores its own).");
        reads.MapGet("/municipalities/{code}/holiday-policy/history", History).WithSummary("Every change to a municipality's holiday policy.");
        changes.MapPut("/municipalities/{code}/holiday-policy", Put).Accepts<HolidayPolicy>("application/json")
            .WithSummary("Set a municipality's holiday policy. Send the version you read in If-Match (\"0\" while it is the default).");
    }

    private static async Task<Results<Ok<MunicipalityHolidayPolicy>, ProblemHttpResult>> Get(
        string code, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await LoadAsync(conn, code, null, ct), p => p.Version, response, $"No municipality has code {code}.");
    }

    private static async Task<Results<Ok<MunicipalityHolidayPolicy>, ValidationProblem, ProblemHttpResult>> Put(
        string code, HttpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock,
        OpeningHoursEvents events, CancellationToken ct)
    {
        var (policy, unreadable) = await OpeningHoursHttp.ReadBodyAsync<HolidayPolicy>(request, ct);
        if (unreadable is not null)
        {
            return unreadable;
        }

        var errors = new OpeningRules(WeeklySchedule.AlwaysClosed, [], policy!, ClosedAction.None).Validate();
        if (errors.Count > 0)
        {
            return OpeningHoursHttp.Invalid(errors, path => path.StartsWith("Holidays.", StringComparison.Ordinal) ? path["Holidays.".Length..] : path);
        }

        const string Insert = """
            insert into opening_hours_holiday_policies (municipality_code, policy, version, updated_at, updated_by_id, updated_by)
            values (@code, @policy::jsonb, 1, @at, @actorId, @actorName)
            """;
        const string Update = """
            update opening_hours_holiday_policies
            set policy = @policy::jsonb, version = version + 1, updated_at = @at, updated_by_id = @actorId, updated_by = @actorName
            where municipality_code = @code
            """;
        var outcome = await VersionedEdit.RunAsync(new VersionedEdit.Spec<MunicipalityHolidayPolicy, MunicipalityHolidayPolicy>
        {
            EntityType = EntityType,
            EntityId = code,
            ZeroMeansNothingStored = true,
            // The municipality's row is locked, so two first saves of its policy (version 0) cannot both insert.
            Load = async (conn, tx, token) =>
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    "select 1 from municipalities where code = @code for update", new { code }, tx, cancellationToken: token));
                return await LoadAsync(conn, code, tx, token) is { } before
                    ? new VersionedEdit.Held<MunicipalityHolidayPolicy>(before, before.Version, code, $"The holiday policy of {code}")
                    : null;
            },
            NotFound = $"No municipality has code {code}.",
            Forbidden = _ => $"You may change only your own municipality's holiday policy, not {code}'s.",
            Write = async edit =>
            {
                var before = edit.Before.Entry!;
                var args = new { code, policy = OpeningHoursHttp.Serialize(policy), at = edit.Now, actorId = edit.Actor.Id, actorName = edit.Actor.Name };
                await edit.Connection.ExecuteAsync(new CommandDefinition(before.IsDefault ? Insert : Update, args, edit.Transaction, cancellationToken: edit.Cancellation));
                var after = new MunicipalityHolidayPolicy(code, policy!, false, before.Version + 1, edit.Now, edit.Actor.Name);
                return VersionedEdit.Saved(after, after.Version, before.IsDefault ? "created" : "updated", code,
                    before.IsDefault ? null : new { before.Policy, before.Version }, new { after.Policy, after.Version });
            },
            Publish = (after, now) => events.PublishAsync(new OpeningHoursChange(OpeningHoursEvents.HolidayPolicy, code, code, after.Version, now)),
        }, request.Headers[Versions.Header], user, dataSource, clock, request.HttpContext.Response, ct);
        return outcome.AsOk();
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ProblemHttpResult>> History(string code, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(conn, code, null, ct) is null
            ? Problems.NotFound($"No municipality has code {code}.")
            : TypedResults.Ok(await Audit.HistoryAsync(conn, EntityType, code, ct));
    }

    /// <summary>The municipality's policy, the default while it has none; null when no such municipality.</summary>
    public static async Task<MunicipalityHolidayPolicy?> LoadAsync(NpgsqlConnection conn, string code, NpgsqlTransaction? tx, CancellationToken ct)
    {
        const string Sql = """
            select m.code, p.policy::text as policy, p.version, p.updated_at, p.updated_by
            from municipalities m
            left join opening_hours_holiday_policies p on p.municipality_code = m.code
            where m.code = @code
            """;
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Sql, new { code }, tx, cancellationToken: ct));
        return row switch
        {
            null => null,
            { Policy: null } => new MunicipalityHolidayPolicy(row.Code, HolidayPolicy.Default, true, 0, null, null),
            _ => new MunicipalityHolidayPolicy(row.Code, OpeningHoursHttp.Deserialize<HolidayPolicy>(row.Policy), false, row.Version!.Value, row.UpdatedAt, row.UpdatedBy),
        };
    }

    private sealed record Row(string Code, string? Policy, int? Version, DateTimeOffset? UpdatedAt, string? UpdatedBy);
}
