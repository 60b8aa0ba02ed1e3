using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.Directory;

public sealed record Municipality(
    string Code, string Name, string MainNumber, bool ServedBySwitchboard, int Version, DateTimeOffset UpdatedAt);

/// <summary>
/// Fields left out (null) stay as they are. <see cref="Population"/> is only read to refuse it: populations
/// are kept per year (PopulationsApi), and a client that sends one here must learn that, not see it ignored.
/// </summary>
public sealed record MunicipalityChange(string? MainNumber, int? Population, bool? ServedBySwitchboard);

public static class Municipalities
{
    public const string EntityType = "municipality";
    private const string Columns = "code, name, main_number, served_by_switchboard, version, updated_at";

    public static Task<bool> ExistsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string code, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from municipalities where code = @code)", new { code }, tx, cancellationToken: ct));

    public static RouteGroupBuilder MapMunicipalities(this IEndpointRouteBuilder directory)
    {
        var group = directory.MapGroup("/municipalities");
        group.MapGet("/", List).RequireAuthorization(Policies.Staff).WithSummary("All member municipalities, served or not.");
        group.MapGet("/{code}", Get).RequireAuthorization(Policies.Staff).WithSummary("One municipality (ETag: its version).");
        group.MapPatch("/{code}", Change).RequireAuthorization(Policies.Editors).WithSummary(
            "Change a municipality: administrators whether the switchboard serves it; " +
            "its own editors (and administrators) its main number. Needs If-Match with the version.");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<Municipality>>> List(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        const string Sql = $"select {Columns} from municipalities order by name";
        var rows = await conn.QueryAsync<Municipality>(new CommandDefinition(Sql, cancellationToken: ct));
        return TypedResults.Ok<IReadOnlyList<Municipality>>(rows.AsList());
    }

    private static async Task<Results<Ok<Municipality>, ProblemHttpResult>> Get(
        string code, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await FindAsync(conn, null, code, false, ct), m => m.Version, response, $"No municipality has code '{code}'.");
    }

    private static Task<Municipality?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string code, bool forUpdate, CancellationToken ct)
    {
        const string Find = $"select {Columns} from municipalities where code = @code";
        const string FindForUpdate = Find + " for update";
        return conn.QuerySingleOrDefaultAsync<Municipality>(new CommandDefinition(
            forUpdate ? FindForUpdate : Find, new { code }, tx, cancellationToken: ct));
    }

    private static async Task<Results<Ok<Municipality>, ValidationProblem, ProblemHttpResult>> Change(
        string code, MunicipalityChange change, [FromHeader(Name = Versions.Header)] string? ifMatch,
        ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var version = Versions.Parse(ifMatch, out var missing);
        if (missing is not null)
        {
            return missing;
        }

        var errors = new FieldErrors();
        var mainNumber = change.MainNumber is null ? null : Contact.Phone(errors, "mainNumber", change.MainNumber);
        if (change.MainNumber is not null && string.IsNullOrWhiteSpace(change.MainNumber))
        {
            errors.Add("mainNumber", "mainNumber cannot be blank: every municipality has a main number.");
        }

        if (change.Population is not null)
        {
            errors.Add("population", "population is kept per year with its reference date: an administrator sends it with " +
                "PUT /api/directory/populations/{year} (docs/directory.md, \"Populations\").");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await FindAsync(conn, tx, code, true, ct);
        if (before is null)
        {
            return Problems.NotFound($"No municipality has code '{code}'.");
        }

        if (!user.MayEdit(code))
        {
            return Problems.Forbidden($"You may change only your own municipality's entries; {before.Name} is not yours.");
        }

        var changesCostSplit = change.ServedBySwitchboard is { } s && s != before.ServedBySwitchboard;
        if (changesCostSplit && !user.IsAdministrator())
        {
            return Problems.Forbidden("Only an administrator may change whether the switchboard serves a municipality.");
        }

        if (version != before.Version)
        {
            return await Versions.ConflictAsync(conn, tx, EntityType, code, before.Version, version!.Value, before.Name, ct);
        }

        const string Sql = $"""
            update municipalities set main_number = coalesce(@mainNumber, main_number),
                served_by_switchboard = coalesce(@served, served_by_switchboard),
                version = version + 1, updated_at = @now
            where code = @code
            returning {Columns}
            """;
        var now = time.GetUtcNow();
        var after = await conn.QuerySingleAsync<Municipality>(new CommandDefinition(Sql, new
        {
            code, mainNumber, served = change.ServedBySwitchboard, now,
        }, tx, cancellationToken: ct));
        await Audit.RecordAsync(conn, tx, user.Actor(), now, EntityType, code, code, "updated", before, after);
        await tx.CommitAsync(ct);
        await events.PublishAsync("municipality", code, code, "updated", after.Version, now);
        response.Headers.ETag = Versions.ETag(after.Version);
        return TypedResults.Ok(after);
    }
}
