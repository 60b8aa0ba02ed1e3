namespace Umearegionen.Switchboard.Statistics;

public sealed record CallbackFollowUpRequest(string? Result, string? Note);

public sealed record CallbackToFollowUp(
    Guid Id, Guid CallId, string? MunicipalityCode, string UnitId, string UnitName, string? CallerNumber, string? CallerName,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd, string? Note, DateTimeOffset BookedAt, string? Result,
    DateTimeOffset? RecordedAt, DateTimeOffset? PersonalDataRemovedAt);

/// <summary>
/// "Callbacks kept" needs someone to say whether the callback was made: the unit's editor (or an
/// administrator) records kept or missed afterwards. Routing books callbacks; this only follows them up.
/// </summary>
public static class CallbackFollowUpsApi
{
    private const string Columns = """
        b.id, b.call_id, c.municipality_code, b.unit_id, b.unit_name, b.caller_number, b.caller_name, b.window_start,
        b.window_end, b.note, b.booked_at, f.result, f.recorded_at, b.personal_data_removed_at
        """;

    public static RouteGroupBuilder MapCallbackFollowUps(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/callbacks")
            .RequireAuthorization(Policies.Editors)
            .WithTags("Statistics")
            .WithNoStore();
        group.MapGet("/", List).WithSummary("Booked callbacks of a municipality, newest first, with their follow-up");
        group.MapPut("/{id:guid}/follow-up", Record).WithSummary("Record whether a booked callback was kept or missed");
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<CallbackToFollowUp>>, ProblemHttpResult>> List(
        string? municipality, bool? open, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var code = string.IsNullOrWhiteSpace(municipality) ? user.MunicipalityCode() : municipality.Trim();
        if (code is null ? !user.IsAdministrator() : !user.MayEdit(code))
        {
            return Problems.Forbidden("An editor sees their own municipality's callbacks only.");
        }

        const string Sql = $"""
            select {Columns}
            from callbacks b join calls c on c.id = b.call_id
            left join callback_follow_ups f on f.callback_id = b.id
            where (@code::text is null or c.municipality_code = @code) and (not @open or f.result is null)
            order by b.booked_at desc
            limit 500
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallbackToFollowUp>(new CommandDefinition(Sql, new { code, open = open ?? false }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<CallbackToFollowUp>>(rows.AsList());
    }

    private static async Task<Results<Ok<CallbackToFollowUp>, ValidationProblem, ProblemHttpResult>> Record(
        Guid id, CallbackFollowUpRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (request.Result is not ("kept" or "missed"))
        {
            errors.Add("result", "result must be \"kept\" (the unit called back) or \"missed\" (it did not).");
        }

        errors.Optional("note", request.Note, 1000);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await conn.QuerySingleOrDefaultAsync<CallbackToFollowUp>(new CommandDefinition($"""
            select {Columns}
            from callbacks b join calls c on c.id = b.call_id
            left join callback_follow_ups f on f.callback_id = b.id
            where b.id = @id
            for update of b
            """, new { id }, tx, cancellationToken: ct));
        if (before is null)
        {
            return Problems.NotFound($"There is no booked callback {id}.");
        }

        if (before.MunicipalityCode is null ? !user.IsAdministrator() : !user.MayEdit(before.MunicipalityCode))
        {
            return Problems.Forbidden("Only the municipality's editors (or an administrator) follow up its callbacks.");
        }

        // A note would outlive the retention job, which has already passed this callback (PersonalData/Redaction.cs).
        if (before.PersonalDataRemovedAt is { } removed && !string.IsNullOrWhiteSpace(request.Note))
        {
            return Problems.Validation("note", $"The callback's personal data was removed on {removed:yyyy-MM-dd}; record the result without a note.");
        }

        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            insert into callback_follow_ups (callback_id, result, note, recorded_by, recorded_at)
            values (@id, @result, @note, @by, @now)
            on conflict (callback_id) do update set result = excluded.result, note = excluded.note,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
            """, new { id, request.Result, note = request.Note?.Trim(), by = user.Id(), now }, tx, cancellationToken: ct));
        var after = before with { Result = request.Result, RecordedAt = now };
        await Audit.RecordAsync(conn, tx, user.Actor(), now, "callback_follow_up", id.ToString(), before.MunicipalityCode,
            before.Result is null ? "created" : "updated",
            before.Result is null ? null : new { before.Result }, new { request.Result, request.Note });
        await tx.CommitAsync(ct);
        return TypedResults.Ok(after);
    }
}
