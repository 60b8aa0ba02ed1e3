using Microsoft.AspNetCore.Mvc;

namespace Umearegionen.Switchboard.Directory;

/// <summary>People: everyone reads; editors change their own municipality's people.</summary>
public static class PeopleApi
{
    public static RouteGroupBuilder MapPeople(this IEndpointRouteBuilder directory)
    {
        var group = directory.MapGroup("/people");
        group.MapGet("/", List).RequireAuthorization(Policies.Staff)
            .WithSummary("People, optionally of one municipality (?municipality=2480) or one unit (?unit=id).");
        group.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Staff).WithSummary("One person (ETag: their version).");
        group.MapPost("/", Create).RequireAuthorization(Policies.Editors)
            .WithSummary("Add a person to a unit of your own municipality.");
        group.MapPut("/{id:guid}", Update).RequireAuthorization(Policies.Editors)
            .WithSummary("Replace a person's fields, including their referral status. Needs If-Match with the version you read.");
        group.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Editors)
            .WithSummary("Remove a person. Needs If-Match with the version.");
        return group;
    }

    private static async Task<Ok<IReadOnlyList<Person>>> List(
        string? municipality, Guid? unit, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return TypedResults.Ok(await People.ListAsync(conn, municipality, unit, ct));
    }

    private static async Task<Results<Ok<Person>, ProblemHttpResult>> Get(
        Guid id, NpgsqlDataSource dataSource, HttpResponse response, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return Versions.Read(await People.FindAsync(conn, id, ct), p => p.Version, response, $"No person has id {id}.");
    }

    private static async Task<Results<Created<Person>, ValidationProblem, ProblemHttpResult>> Create(
        PersonRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events,
        HttpResponse response, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var values = People.Check(request, errors);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var municipality = await CheckUnitAsync(conn, tx, values, errors, ct);
        if (municipality is not null && !user.MayEdit(municipality))
        {
            return Problems.Forbidden($"You may add people only to your own municipality's units; this unit belongs to {municipality}.");
        }

        await ExternalKeys.OfPeople.CheckFreeAsync(conn, tx, null, municipality, values.ExternalKey, errors, ct);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var now = time.GetUtcNow();
        var person = await People.InsertAsync(conn, tx, Guid.CreateVersion7(), municipality!, values, now, ct);
        await Audit.RecordAsync(conn, tx, user.Actor(), now, People.EntityType, person.Id.ToString(), person.MunicipalityCode, "created", null, person);
        await tx.CommitAsync(ct);
        await events.PublishAsync("person", person.Id.ToString(), person.MunicipalityCode, "created", person.Version, now);
        response.Headers.ETag = Versions.ETag(person.Version);
        return TypedResults.Created($"/api/directory/people/{person.Id}", person);
    }

    private static async Task<Results<Ok<Person>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, PersonRequest request, [FromHeader(Name = Versions.Header)] string? ifMatch, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, TimeProvider time, DirectoryEvents events, HttpResponse response, CancellationToken ct)
    {
        var outcome = await VersionedEdit.RunAsync(Edit(id, "change",
            async edit =>
            {
                var before = edit.Before.Entry!;
                var errors = new FieldErrors();
                var values = People.Check(request with { UnitId = request.UnitId ?? before.UnitId }, errors);
                var municipality = await CheckUnitAsync(edit.Connection, edit.Transaction, values, errors, edit.Cancellation);
                if (municipality is not null && municipality != before.MunicipalityCode)
                {
                    errors.Add("unitId", $"The unit belongs to {municipality}; a person can move only between units of their own municipality ({before.MunicipalityCode}).");
                }

                await ExternalKeys.OfPeople.CheckFreeAsync(edit.Connection, edit.Transaction, id, before.MunicipalityCode, values.ExternalKey, errors, edit.Cancellation);
                if (errors.Any)
                {
                    return VersionedEdit.Change<Person>.Refused(errors.ToProblem());
                }

                var after = await People.UpdateAsync(edit.Connection, edit.Transaction, id, values, edit.Now, edit.Cancellation);
                return VersionedEdit.Saved(after, after.Version, "updated", after.MunicipalityCode, before, after);
            },
            (after, now) => events.PublishAsync("person", id.ToString(), after.MunicipalityCode, "updated", after.Version, now)),
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
                await edit.Connection.ExecuteAsync(new CommandDefinition(
                    "delete from directory_people where id = @id", new { id }, edit.Transaction, cancellationToken: edit.Cancellation));
                return VersionedEdit.Saved(before, 0, "deleted", before.MunicipalityCode, before, null);
            },
            (before, now) => events.PublishAsync("person", id.ToString(), before.MunicipalityCode, "deleted", null, now)),
            ifMatch, user, dataSource, time, response, ct);
        return outcome.AsNoContent();
    }

    /// <summary>A change or removal of one person through the shared versioned edit (Platform/VersionedEdit.cs).</summary>
    private static VersionedEdit.Spec<Person, Person> Edit(
        Guid id, string verb, Func<VersionedEdit.Edit<Person>, Task<VersionedEdit.Change<Person>>> write, Func<Person, DateTimeOffset, Task> publish) => new()
    {
        EntityType = People.EntityType,
        EntityId = id.ToString(),
        Load = async (conn, tx, ct) => await People.FindAsync(conn, id, ct, tx, forUpdate: true) is { } e
            ? new VersionedEdit.Held<Person>(e, e.Version, e.MunicipalityCode, $"The entry for {e.Name}")
            : null,
        NotFound = $"No person has id {id}.",
        Forbidden = owner => $"You may {verb} only your own municipality's people; this person belongs to {owner}.",
        Write = write,
        Publish = publish,
    };

    private static async Task<string?> CheckUnitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PersonValues values, FieldErrors errors, CancellationToken ct)
    {
        if (values.UnitId == Guid.Empty)
        {
            return null;
        }

        var municipality = await People.UnitMunicipalityAsync(conn, tx, values.UnitId, ct);
        if (municipality is null)
        {
            errors.Add("unitId", $"No unit has id {values.UnitId}; choose an existing unit.");
        }

        return municipality;
    }
}
