using Microsoft.AspNetCore.Mvc;
using Umearegionen.Switchboard.Directory;

namespace Umearegionen.Switchboard.Answers;

public sealed record OverdueAnswer(Guid Id, string Question, string? MunicipalityCode, DateTimeOffset ReviewedAt, DateTimeOffset DueAt);

/// <summary>
/// Answers (docs/answers.md): everyone signed in reads (operators only the answers valid today);
/// editors change their own municipality's answers, administrators any, and only administrators the
/// shared answers (no municipality).
/// </summary>
public static class AnswersApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapAnswers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/answers").WithTags("Answers").RequireAuthorization(Policies.Staff)
            .AddEndpointFilter(DirectoryRegistration.SimultaneousChange);
        group.MapGet("/", List).WithSummary(
            "Answers, best for browsing: ?municipality=2480 (with the shared ones unless shared=false), ?municipality=shared, " +
            "?topic=, ?unit=, ?q=, ?validOn=2026-12-24 or today, ?offset=&limit=. Operators see only answers valid today.");
        group.MapGet("/{id:guid}", Get).WithSummary("One answer (ETag: its version).");
        group.MapPost("/", Create).RequireAuthorization(Policies.Editors)
            .WithSummary("Create an answer of your own municipality (administrators: any, or shared with municipalityCode null).");
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Editors)
            .WithSummary("Replace an answer's fields. Needs If-Match with the version you read.");
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Editors)
            .WithSummary("Remove an answer. Needs If-Match with the version you read.");
        group.MapPost("/{id:guid}/review", Review).RequireAuthorization(Policies.Editors)
            .WithSummary("Mark an answer as reviewed now (it is current as it stands); the version does not change.");
        group.MapGet("/{id:guid}/history", History).WithSummary("Every recorded change of an answer: who, when, before and after.");
        group.MapGet("/overdue", Overdue).RequireAuthorization(Policies.Editors).WithSummary(
            "Answers not reviewed within Directory:ReviewPeriod, oldest first: an editor's own municipality's; administrators all.");
        group.MapAnswersCsv();
        return group;
    }

    /// <summary>Who may change an answer of <paramref name="municipalityCode"/>: shared answers (null) are the administrators'.</summary>
    public static bool MayEditAnswer(this ClaimsPrincipal user, string? municipalityCode) =>
        municipalityCode is null ? user.IsAdministrator() : user.MayEdit(municipalityCode);

    private static string Whose(ClaimsPrincipal user, string? code) => code is null
        ? "Shared answers (no municipalityCode) are kept by administrators; an editor writes answers of their own municipality " +
          $"({user.MunicipalityCode() ?? "none"}) with municipalityCode set."
        : $"You may change only your own municipality's answers ({user.MunicipalityCode() ?? "none"}); this one belongs to {code}.";

    private static async Task<Results<Ok<AnswerPage>, ValidationProblem>> List(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, CancellationToken ct,
        string? municipality = null, string? shared = null, string? topic = null, Guid? unit = null, string? q = null,
        string? validOn = null, string? offset = null, string? limit = null)
    {
        var errors = new FieldErrors();
        var sharedOnly = municipality == "shared";
        if (municipality is not null && !sharedOnly && (municipality.Length != 4 || !municipality.All(char.IsAsciiDigit)))
        {
            errors.Add("municipality", "municipality must be a four-digit municipality code (e.g. 2480 for Umeå) or 'shared'.");
        }

        var withShared = true;
        if (shared is not null && !bool.TryParse(shared, out withShared))
        {
            errors.Add("shared", "shared must be true or false.");
        }

        errors.Optional("topic", topic, Units.MaxTopic);
        errors.SingleLine("topic", topic);
        errors.Optional("q", q, DirectorySearch.MaxQueryLength);
        errors.SingleLine("q", q);
        var today = AnswerStore.Today(time.GetUtcNow());
        DateOnly? day = null;
        if (validOn is not null)
        {
            if (validOn == "today")
            {
                day = today;
            }
            else if (DateOnly.TryParseExact(validOn, "yyyy-MM-dd", out var d))
            {
                day = d;
            }
            else
            {
                errors.Add("validOn", "validOn must be a date such as 2026-12-24, or 'today'.");
            }
        }

        var skip = 0;
        if (offset is not null && (!int.TryParse(offset, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out skip) || skip > 1_000_000))
        {
            errors.Add("offset", "offset must be a whole number from 0 to 1000000, as nextOffset of the previous page gives it.");
        }

        var take = errors.Limit(limit, DefaultLimit, MaxLimit);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Operators and managers are offered only what may be said today; editors see every answer.
        if (!user.IsInRole(Roles.Editor) && !user.IsAdministrator())
        {
            day = today;
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var filter = new AnswerFilter(sharedOnly ? null : municipality, sharedOnly, withShared, Blank(topic), unit, Blank(q), day, skip, take);
        return TypedResults.Ok(await AnswerStore.ListAsync(conn, filter, ct));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<Results<Ok<AnswerEntry>, ProblemHttpResult>> Get(
        Guid id, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await AnswerStore.FindAsync(conn, id, ct), a => a.Version, response, $"No answer has id {id}.");
    }

    private static async Task<Results<Created<AnswerEntry>, ValidationProblem, ProblemHttpResult>> Create(
        AnswerEntryRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events,
        HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var values = AnswerStore.Check(request, errors);
        if (!user.MayEditAnswer(values.MunicipalityCode))
        {
            return Problems.Forbidden(Whose(user, values.MunicipalityCode));
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await AnswerStore.CheckReferencesAsync(conn, tx, null, values, errors, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var now = time.GetUtcNow();
        var answer = await AnswerStore.InsertAsync(conn, tx, Guid.CreateVersion7(), values, now, ct);
        await Audit.RecordAsync(conn, tx, user.Actor(), now, AnswerStore.EntityType, answer.Id.ToString(), answer.MunicipalityCode, "created", null, answer);
        await tx.CommitAsync(ct);
        await events.PublishAsync("answer", answer.Id.ToString(), answer.MunicipalityCode ?? "", "created", answer.Version, now);
        response.Headers.ETag = Versions.ETag(answer.Version);
        return TypedResults.Created($"/api/answers/{answer.Id}", answer);
    }

    private static async Task<Results<Ok<AnswerEntry>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, AnswerEntryRequest request, [FromHeader(Name = Versions.Header)] string? ifMatch, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var outcome = await VersionedEdit.RunAsync(Edit(id, user,
            async edit =>
            {
                var before = edit.Before.Entry!;
                // An answer stays where it is (a municipality's or shared); a different code is refused.
                var errors = new FieldErrors();
                var values = AnswerStore.Check(request, errors);
                if (values.MunicipalityCode != before.MunicipalityCode)
                {
                    errors.Add("municipalityCode", $"An answer cannot move to another municipality or between a municipality and the shared answers " +
                                                   $"(it is {before.MunicipalityCode ?? "shared, null"}); create it there instead.");
                }

                await AnswerStore.CheckReferencesAsync(edit.Connection, edit.Transaction, id, values, errors, edit.Cancellation);
                if (errors.Any)
                {
                    return VersionedEdit.Change<AnswerEntry>.Refused(errors.ToProblem());
                }

                var after = await AnswerStore.UpdateAsync(edit.Connection, edit.Transaction, id, values, edit.Now, edit.Cancellation);
                return VersionedEdit.Saved(after, after.Version, "updated", after.MunicipalityCode, before, after);
            },
            (after, now) => events.PublishAsync("answer", id.ToString(), after.MunicipalityCode ?? "", "updated", after.Version, now)),
            ifMatch, user, dataSource, time, response, ct);
        return outcome.AsOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, [FromHeader(Name = Versions.Header)] string? ifMatch, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var outcome = await VersionedEdit.RunAsync(Edit(id, user,
            async edit =>
            {
                var before = edit.Before.Entry!;
                await edit.Connection.ExecuteAsync(new CommandDefinition(
                    "delete from answers where id = @id", new { id }, edit.Transaction, cancellationToken: edit.Cancellation));
                return VersionedEdit.Saved(before, 0, "deleted", before.MunicipalityCode, before, null);
            },
            (before, now) => events.PublishAsync("answer", id.ToString(), before.MunicipalityCode ?? "", "deleted", null, now)),
            ifMatch, user, dataSource, time, response, ct);
        return outcome.AsNoContent();
    }

    /// <summary>A change or removal of one answer through the shared versioned edit (Platform/VersionedEdit.cs).</summary>
    private static VersionedEdit.Spec<AnswerEntry, AnswerEntry> Edit(
        Guid id, ClaimsPrincipal user, Func<VersionedEdit.Edit<AnswerEntry>, Task<VersionedEdit.Change<AnswerEntry>>> write,
        Func<AnswerEntry, DateTimeOffset, Task> publish) => new()
    {
        EntityType = AnswerStore.EntityType,
        EntityId = id.ToString(),
        Load = async (conn, tx, ct) => await AnswerStore.FindAsync(conn, id, ct, tx, forUpdate: true) is { } e
            ? new VersionedEdit.Held<AnswerEntry>(e, e.Version, e.MunicipalityCode, $"The answer '{e.Question}'")
            : null,
        NotFound = $"No answer has id {id}.",
        Forbidden = owner => Whose(user, owner),
        Write = write,
        Publish = publish,
    };

    private static async Task<Results<NoContent, ProblemHttpResult>> Review(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await AnswerStore.FindAsync(conn, id, ct, tx, forUpdate: true);
        if (before is null)
        {
            return Problems.NotFound($"No answer has id {id}.");
        }

        if (!user.MayEditAnswer(before.MunicipalityCode))
        {
            return Problems.Forbidden(Whose(user, before.MunicipalityCode));
        }

        // As for directory entries: a review changes no content, so the version stays (an open edit stays valid).
        var now = time.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("update answers set reviewed_at = @now where id = @id", new { id, now }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, AnswerStore.EntityType, id.ToString(), before.MunicipalityCode, "reviewed",
            new { reviewedAt = before.ReviewedAt }, new { reviewedAt = now });
        await tx.CommitAsync(ct);
        await events.PublishAsync("answer", id.ToString(), before.MunicipalityCode ?? "", "reviewed", before.Version, now);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<AuditEntry>>> History(Guid id, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await Audit.HistoryAsync(conn, AnswerStore.EntityType, id.ToString(), ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<OverdueAnswer>>, ProblemHttpResult>> Overdue(
        ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, IOptions<DirectoryOptions> options, CancellationToken ct)
    {
        var admin = user.IsAdministrator();
        if (!admin && user.MunicipalityCode() is null)
        {
            return Problems.Forbidden("Your account belongs to no municipality, so there is no overdue list for you.");
        }

        const string Sql = """
            select id, question, municipality_code, reviewed_at, reviewed_at + @period as due_at
            from answers
            where reviewed_at < @cutoff and (@admin or municipality_code = @municipality)
            order by reviewed_at, question
            limit 5000
            """;
        var period = options.Value.ReviewPeriod;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<OverdueAnswer>(new CommandDefinition(Sql, new
        {
            admin, municipality = user.MunicipalityCode(), period, cutoff = time.GetUtcNow() - period,
        }, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<OverdueAnswer>>(rows.AsList());
    }
}
