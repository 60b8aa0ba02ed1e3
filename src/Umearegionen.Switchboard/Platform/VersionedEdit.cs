namespace Umearegionen.Switchboard.Platform;

/// <summary>
/// Optimistic concurrency: every entry carries a version, sent back in the <c>If-Match</c> header
/// as an ETag (<c>If-Match: "3"</c>). A change based on an older version is refused with 409.
/// </summary>
public static class Versions
{
    public const string Header = "If-Match";

    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>An entry read: 200 with its version as the ETag, or 404 with <paramref name="notFound"/> when there is none.</summary>
    public static Results<Ok<T>, ProblemHttpResult> Read<T>(T? entry, Func<T, int> version, HttpResponse response, string notFound)
        where T : class
    {
        if (entry is null)
        {
            return Problems.NotFound(notFound);
        }

        response.Headers.ETag = ETag(version(entry));
        return TypedResults.Ok(entry);
    }

    /// <summary>
    /// The version in an If-Match header ("3", W/"3" or 3); null with a 428 problem when absent or unreadable.
    /// With <paramref name="zeroMeansNothingStored"/>, "0" is the version of an entry not stored yet (a PUT creates it).
    /// </summary>
    public static int? Parse(string? ifMatch, out ProblemHttpResult? problem, bool zeroMeansNothingStored = false)
    {
        problem = null;
        var text = ifMatch?.Trim();
        if (text is not null && text.StartsWith("W/", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (int.TryParse(text?.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            && (version > 0 || zeroMeansNothingStored))
        {
            return version;
        }

        var zero = zeroMeansNothingStored ? "; \"0\" when nothing is stored yet" : "";
        problem = TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
            title: "The version you are changing is missing",
            detail: $"Send the version you read in the If-Match header (the ETag from reading it, e.g. If-Match: \"3\"{zero}), " +
                    "so a change made by someone else in the meantime is not overwritten.",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [Header] = ["If-Match is required."] } });
        return null;
    }

    /// <summary>409 telling who changed the entry last and when (from the audit trail), so the user reloads and re-applies.</summary>
    public static async Task<ProblemHttpResult> ConflictAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string entityType, string entityId, int current, int sent, string what, CancellationToken ct)
    {
        const string Sql = """
            select actor_name, occurred_at from audit_log
            where entity_type = @entityType and entity_id = @entityId
            order by occurred_at desc, id desc limit 1
            """;
        var last = current == 0
            ? null
            : await conn.QuerySingleOrDefaultAsync<(string ActorName, DateTimeOffset OccurredAt)?>(
                new CommandDefinition(Sql, new { entityType, entityId }, tx, cancellationToken: ct));
        var by = last is { } l ? $" by {l.ActorName} at {l.OccurredAt:yyyy-MM-dd HH:mm:ss} UTC" : "";
        var detail = current == 0
            ? $"{what} is not stored yet (you sent version {sent}); send If-Match: \"0\" to create it."
            : $"{what} was changed{by} after you read it (you sent version {sent}, it is now version {current}). " +
              "Nothing was saved: reload it, apply your change again and save.";
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed by someone else", detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["currentVersion"] = current,
                ["changedBy"] = last?.ActorName,
                ["changedAt"] = last?.OccurredAt.ToUniversalTime(),
            });
    }
}

/// <summary>
/// The one way to change an entry that carries a version: units, people, a unit's opening hours, a
/// municipality's holiday policy, the switchboard's hours and answers. In one transaction: load the entry with a
/// row lock, 404 when there is none, may this user change it (403), the version they read (If-Match,
/// 428 when missing) against the stored one (409 naming who changed it), the feature's checks and write,
/// the audit record; then commit, publish to dashboards, and send the new version back as the ETag.
/// A feature supplies only what differs: how to load and write its entry and what to publish.
/// </summary>
public static class VersionedEdit
{
    /// <summary>An entry as stored and locked: its version, the municipality that owns it (null: administrators' alone), its name for messages.</summary>
    public sealed record Held<T>(T? Entry, int Version, string? MunicipalityCode, string Describe);

    /// <summary>What one edit needs from its caller.</summary>
    public sealed class Spec<TEntry, TAfter>
    {
        /// <summary>The audit trail's entity type and id.</summary>
        public required string EntityType { get; init; }

        public required string EntityId { get; init; }

        /// <summary>Reads the entry with a row lock; null when what it belongs to does not exist.</summary>
        public required Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<Held<TEntry>?>> Load { get; init; }

        /// <summary>The 404's text.</summary>
        public required string NotFound { get; init; }

        /// <summary>The 403's text when the user may not edit the owning municipality's entries.</summary>
        public required Func<string?, string> Forbidden { get; init; }

        /// <summary>Whether a PUT with If-Match "0" creates an entry not stored yet (opening hours, policies).</summary>
        public bool ZeroMeansNothingStored { get; init; }

        /// <summary>The feature's own checks (which may read the database) and its write; a refusal leaves nothing written.</summary>
        public required Func<Edit<TEntry>, Task<Change<TAfter>>> Write { get; init; }

        /// <summary>Tells dashboards, after the commit.</summary>
        public required Func<TAfter, DateTimeOffset, Task> Publish { get; init; }
    }

    /// <summary>The edit in progress, handed to <see cref="Spec{TEntry,TAfter}.Write"/>.</summary>
    public sealed record Edit<TEntry>(
        NpgsqlConnection Connection, NpgsqlTransaction Transaction, Held<TEntry> Before, Actor Actor, DateTimeOffset Now, CancellationToken Cancellation);

    /// <summary>What the write made of the entry, or why it refused.</summary>
    public sealed record Change<TAfter>(
        TAfter? After, int Version, string Action, string? MunicipalityCode, object? AuditBefore, object? AuditAfter, IResult? Refusal)
    {
        public static Change<TAfter> Refused(ValidationProblem problem) => new(default, 0, "", null, null, null, problem);

        public static Change<TAfter> Refused(ProblemHttpResult problem) => new(default, 0, "", null, null, null, problem);
    }

    /// <summary>The change was stored: its new version, the audit record's action and the before and after it records.</summary>
    public static Change<TAfter> Saved<TAfter>(TAfter after, int version, string action, string? municipalityCode, object? auditBefore, object? auditAfter) =>
        new(after, version, action, municipalityCode, auditBefore, auditAfter, null);

    /// <summary>The outcome: the stored entry, or the problem that refused it (nothing stored then).</summary>
    public sealed record Outcome<TAfter>(TAfter? After, IResult? Refusal)
    {
        public Results<Ok<TAfter>, ValidationProblem, ProblemHttpResult> AsOk() => Refusal switch
        {
            ValidationProblem invalid => invalid,
            ProblemHttpResult problem => problem,
            _ => TypedResults.Ok(After!),
        };

        public Results<NoContent, ProblemHttpResult> AsNoContent() => Refusal switch
        {
            ProblemHttpResult problem => problem,
            ValidationProblem invalid => TypedResults.Problem(statusCode: invalid.StatusCode, title: "The request has mistakes"),
            _ => TypedResults.NoContent(),
        };
    }

    public static async Task<Outcome<TAfter>> RunAsync<TEntry, TAfter>(
        Spec<TEntry, TAfter> spec, string? ifMatch, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time,
        HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await spec.Load(conn, tx, ct);
        if (before is null)
        {
            return new(default, Problems.NotFound(spec.NotFound));
        }

        var mayEdit = before.MunicipalityCode is { } owner ? user.MayEdit(owner) : user.IsAdministrator();
        if (!mayEdit)
        {
            return new(default, Problems.Forbidden(spec.Forbidden(before.MunicipalityCode)));
        }

        var sent = Versions.Parse(ifMatch, out var missing, spec.ZeroMeansNothingStored);
        if (missing is not null)
        {
            return new(default, missing);
        }

        if (sent != before.Version)
        {
            return new(default, await Versions.ConflictAsync(conn, tx, spec.EntityType, spec.EntityId, before.Version, sent!.Value, before.Describe, ct));
        }

        var now = time.GetUtcNow();
        var actor = user.Actor();
        var change = await spec.Write(new Edit<TEntry>(conn, tx, before, actor, now, ct));
        if (change.Refusal is not null)
        {
            return new(default, change.Refusal);
        }

        await Audit.RecordAsync(conn, tx, actor, now, spec.EntityType, spec.EntityId, change.MunicipalityCode, change.Action,
            change.AuditBefore, change.AuditAfter);
        await tx.CommitAsync(ct);
        await spec.Publish(change.After!, now);
        if (change.Version > 0)
        {
            response.Headers.ETag = Versions.ETag(change.Version);
        }

        return new(change.After, null);
    }
}
