using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.Directory;

/// <summary>Organisational units: everyone reads; editors change their own municipality's units.</summary>
public static class UnitsApi
{
    public static RouteGroupBuilder MapUnits(this IEndpointRouteBuilder directory)
    {
        var group = directory.MapGroup("/units");
        group.MapGet("/", List).RequireAuthorization(Policies.Staff)
            .WithSummary("Units, optionally of one municipality (?municipality=2480) or under one parent (?parent=id).");
        group.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Staff).WithSummary("One unit (ETag: its version).");
        group.MapPost("/", Create).RequireAuthorization(Policies.Editors).WithSummary("Create a unit in your own municipality.");
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Editors)
            .WithSummary("Replace a unit's fields. Needs If-Match with the version you read.");
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Editors)
            .WithSummary("Remove a unit that has no people and no sub-units. Needs If-Match with the version.");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<Unit>>> List(
        string? municipality, Guid? parent, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await Units.ListAsync(conn, municipality, parent, ct));
    }

    private static async Task<Results<Ok<Unit>, ProblemHttpResult>> Get(
        Guid id, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await Units.FindAsync(conn, id, ct), u => u.Version, response, $"No unit has id {id}.");
    }

    private static async Task<Results<Created<Unit>, ValidationProblem, ProblemHttpResult>> Create(
        UnitRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events,
        HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var values = Units.Check(request, errors);
        if (values.MunicipalityCode.Length > 0 && !user.MayEdit(values.MunicipalityCode))
        {
            return Problems.Forbidden($"You may create units only in your own municipality ({user.MunicipalityCode()}), not in {values.MunicipalityCode}.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Units.CheckReferencesAsync(conn, tx, null, values, errors, ct);
        await ExternalKeys.OfUnits.CheckFreeAsync(conn, tx, null, values.MunicipalityCode, values.ExternalKey, errors, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var now = time.GetUtcNow();
        var unit = await Units.InsertAsync(conn, tx, Guid.CreateVersion7(), values, now, ct);
        await Audit.RecordAsync(conn, tx, user.Actor(), now, Units.EntityType, unit.Id.ToString(), unit.MunicipalityCode, "created", null, unit);
        await tx.CommitAsync(ct);
        await events.PublishAsync("unit", unit.Id.ToString(), unit.MunicipalityCode, "created", unit.Version, now);
        response.Headers.ETag = Versions.ETag(unit.Version);
        return TypedResults.Created($"/api/directory/units/{unit.Id}", unit);
    }

    private static async Task<Results<Ok<Unit>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, UnitRequest request, [FromHeader(Name = Versions.Header)] string? ifMatch, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var outcome = await VersionedEdit.RunAsync(Edit(id, "change",
            async edit =>
            {
                var before = edit.Before.Entry!;
                // A unit stays in its municipality; leaving the field out means "the same".
                var errors = new FieldErrors();
                var values = Units.Check(request with { MunicipalityCode = request.MunicipalityCode ?? before.MunicipalityCode }, errors);
                if (values.MunicipalityCode != before.MunicipalityCode)
                {
                    errors.Add("municipalityCode", "A unit cannot move to another municipality; create it there instead.");
                }

                await Units.CheckReferencesAsync(edit.Connection, edit.Transaction, id, values, errors, edit.Cancellation);
                await ExternalKeys.OfUnits.CheckFreeAsync(edit.Connection, edit.Transaction, id, values.MunicipalityCode, values.ExternalKey, errors, edit.Cancellation);
                if (errors.Any)
                {
                    return VersionedEdit.Change<Unit>.Refused(errors.ToProblem());
                }

                var after = await Units.UpdateAsync(edit.Connection, edit.Transaction, id, values, edit.Now, edit.Cancellation);
                return VersionedEdit.Saved(after, after.Version, "updated", after.MunicipalityCode, before, after);
            },
            (after, now) => events.PublishAsync("unit", id.ToString(), after.MunicipalityCode, "updated", after.Version, now)),
            ifMatch, user, dataSource, time, response, ct);
        return outcome.AsOk();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, [FromHeader(Name = Versions.Header)] string? ifMatch, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var outcome = await VersionedEdit.RunAsync(Edit(id, "remove",
            async edit =>
            {
                var before = edit.Before.Entry!;
                // Never lose people silently: a unit with people or sub-units is refused, not cascaded.
                const string Dependants = """
                    select (select count(*) from directory_people where unit_id = @id) as people,
                           (select count(*) from directory_units where parent_id = @id) as units
                    """;
                var (people, units) = await edit.Connection.QuerySingleAsync<(long, long)>(
                    new CommandDefinition(Dependants, new { id }, edit.Transaction, cancellationToken: edit.Cancellation));
                if (people > 0 || units > 0)
                {
                    return VersionedEdit.Change<Unit>.Refused(Problems.Conflict(
                        $"The unit '{before.Name}' still has {people} people and {units} sub-units; move or remove them first, then remove the unit."));
                }

                await edit.Connection.ExecuteAsync(new CommandDefinition(
                    "delete from directory_units where id = @id", new { id }, edit.Transaction, cancellationToken: edit.Cancellation));
                return VersionedEdit.Saved(before, 0, "deleted", before.MunicipalityCode, before, null);
            },
            (before, now) => events.PublishAsync("unit", id.ToString(), before.MunicipalityCode, "deleted", null, now)),
            ifMatch, user, dataSource, time, response, ct);
        return outcome.AsNoContent();
    }

    /// <summary>A change or removal of one unit through the shared versioned edit (Platform/VersionedEdit.cs).</summary>
    private static VersionedEdit.Spec<Unit, Unit> Edit(
        Guid id, string verb, Func<VersionedEdit.Edit<Unit>, Task<VersionedEdit.Change<Unit>>> write, Func<Unit, DateTimeOffset, Task> publish) => new()
    {
        EntityType = Units.EntityType,
        EntityId = id.ToString(),
        Load = async (conn, tx, ct) => await Units.FindAsync(conn, id, ct, tx, forUpdate: true) is { } e
            ? new VersionedEdit.Held<Unit>(e, e.Version, e.MunicipalityCode, $"The unit '{e.Name}'")
            : null,
        NotFound = $"No unit has id {id}.",
        Forbidden = owner => $"You may {verb} only your own municipality's units; this unit belongs to {owner}.",
        Write = write,
        Publish = publish,
    };
}
