namespace Umearegionen.Switchboard.Routing;

public sealed record NewNotice(
    string MunicipalityCode, IReadOnlyList<string>? Topics, string Text, DateTimeOffset ExpiresAt, IReadOnlyList<Guid>? AnswerIds = null);

/// <summary>
/// Disruption notices. Every signed-in person reads them; a municipality's editors publish and
/// withdraw their own municipality's, the switchboard lead (manager) and administrators any.
/// </summary>
public static class NoticesApi
{
    public static RouteGroupBuilder MapNotices(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notices")
            .RequireAuthorization(Policies.Staff)
            .WithTags("Notices");

        group.MapGet("/", Current).WithSummary("Notices in force now");
        group.MapPost("/", Publish).WithSummary("Publish a disruption notice (editors of the municipality, managers, administrators)");
        group.MapDelete("/{id:guid}", Withdraw).WithSummary("Withdraw a notice before it expires");
        return group;
    }

    private static bool MayPublish(System.Security.Claims.ClaimsPrincipal user, string municipalityCode) =>
        user.MayEdit(municipalityCode) || user.IsInRole(Roles.Manager);

    private static Ok<IReadOnlyList<NoticeView>> Current(NoticeBoard board) => TypedResults.Ok(board.Current());

    private static async Task<Results<Created<NoticeView>, ValidationProblem, ProblemHttpResult>> Publish(
        NewNotice notice, System.Security.Claims.ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock,
        NoticeBoard board, RoutingNotifier notifier, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        errors.Required("municipalityCode", notice.MunicipalityCode, 4);
        errors.Required("text", notice.Text, 1000);
        var topics = (notice.Topics ?? []).Select(t => t?.Trim() ?? "").ToList();
        if (topics.Any(t => t.Length is 0 or > 100) || topics.Count > 20)
        {
            errors.Add("topics", "topics must be at most 20 non-empty keywords of at most 100 characters each.");
        }

        if (notice.ExpiresAt <= now)
        {
            errors.Add("expiresAt", "expiresAt must be in the future.");
        }
        else if (notice.ExpiresAt > now.AddDays(31))
        {
            errors.Add("expiresAt", "expiresAt must be within 31 days; publish a new notice if the disruption lasts longer.");
        }

        var answerIds = (notice.AnswerIds ?? []).Distinct().ToArray();
        if (answerIds.Length > Answers.AnswerStore.MaxNoticeAnswers)
        {
            errors.Add("answerIds", $"A notice may point to at most {Answers.AnswerStore.MaxNoticeAnswers} answers.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        if (!MayPublish(user, notice.MunicipalityCode))
        {
            return Problems.Forbidden($"You may publish notices only for your own municipality, not {notice.MunicipalityCode}.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var known = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from municipalities where code = @code)", new { code = notice.MunicipalityCode }, tx, cancellationToken: ct));
        if (!known)
        {
            return Problems.Validation("municipalityCode", $"\"{notice.MunicipalityCode}\" is not a municipality code.");
        }

        await Answers.AnswerStore.CheckNoticeAnswersAsync(conn, tx, notice.MunicipalityCode, answerIds, errors, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Npgsql writes timestamptz only from offset zero; a client may send any offset (…T10:00:00+01:00).
        var view = new NoticeView(Guid.CreateVersion7(now), notice.MunicipalityCode, topics, notice.Text.Trim(), now,
            notice.ExpiresAt.ToUniversalTime(), user.DisplayName(), answerIds);
        const string Sql = """
            insert into notices (id, municipality_code, topics, text, published_at, expires_at, published_by, answer_ids)
            values (@Id, @MunicipalityCode, @Topics, @Text, @PublishedAt, @ExpiresAt, @PublishedBy, @answerIds)
            """;
        await conn.ExecuteAsync(new CommandDefinition(Sql, new
        {
            view.Id, view.MunicipalityCode, Topics = topics.ToArray(), view.Text, view.PublishedAt, view.ExpiresAt, view.PublishedBy,
            answerIds,
        }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, "notice", view.Id.ToString(), view.MunicipalityCode, "created", null, view);
        await tx.CommitAsync(ct);

        await board.ChangedAsync(ct);
        await notifier.NoticesAsync(board.Current());
        return TypedResults.Created($"/api/notices/{view.Id}", view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Withdraw(
        Guid id, System.Security.Claims.ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider clock,
        NoticeBoard board, RoutingNotifier notifier, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var notice = await conn.QuerySingleOrDefaultAsync<NoticeBoard.NoticeRow>(new CommandDefinition("""
            select id, municipality_code, topics, text, published_at, expires_at, published_by, answer_ids
            from notices where id = @id and withdrawn_at is null for update
            """, new { id }, tx, cancellationToken: ct));
        if (notice is null)
        {
            return Problems.NotFound($"No notice {id} is in force.");
        }

        if (!MayPublish(user, notice.MunicipalityCode))
        {
            return Problems.Forbidden($"You may withdraw notices only for your own municipality, not {notice.MunicipalityCode}.");
        }

        await conn.ExecuteAsync(new CommandDefinition("update notices set withdrawn_at = @now where id = @id",
            new { id, now }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, "notice", id.ToString(), notice.MunicipalityCode, "deleted",
            notice.ToView(), null);
        await tx.CommitAsync(ct);

        await board.ChangedAsync(ct);
        await notifier.NoticesAsync(board.Current());
        return TypedResults.NoContent();
    }
}
