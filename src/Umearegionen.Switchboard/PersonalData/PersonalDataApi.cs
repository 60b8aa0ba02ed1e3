namespace Umearegionen.Switchboard.PersonalData;

/// <summary>The retention settings in force, when the next daily run is due, and the recent runs.</summary>
public sealed record RetentionOverview(RetentionOptions Settings, string TimeZone, DateTimeOffset? NextRunAt, IReadOnlyList<RetentionRun> Runs);

/// <summary>
/// Administrators erase a citizen's data on request, see the retention settings and runs, and start a
/// run (docs/personal-data.md, "Retention: the daily job" and "Register extracts and erasure").
/// </summary>
public static class PersonalDataApi
{
    public const int RecentRuns = 30;

    public static RouteGroupBuilder MapPersonalData(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/personal-data")
            .RequireAuthorization(Policies.Administrators)
            .WithTags("Personal data");
        group.MapPost("/erasures", Erase)
            .WithSummary("Erase what is stored about a phone number or a name, except what must be kept (listed with the reason).");
        group.MapGet("/retention", Overview)
            .WithSummary("The retention times in force, the next daily run and the recent runs with what each removed.");
        group.MapPost("/retention/run", RunNow)
            .WithSummary("Run the retention job now (unless a run is in progress); answers with the run's record.");
        return group;
    }

    private static async Task<Results<Ok<ErasureResult>, ValidationProblem>> Erase(
        ErasureRequest request, ClaimsPrincipal user, Erasures erasures, CancellationToken ct)
    {
        var errors = Erasures.Check(request);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return TypedResults.Ok(await erasures.EraseAsync(request, AccessActor.Of(user), ct));
    }

    private static async Task<Ok<RetentionOverview>> Overview(
        Retention retention, IOptions<RetentionOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var settings = options.Value;
        var next = settings.Enabled ? Retention.NextRunAt(clock.GetUtcNow(), settings.RunAt) : (DateTimeOffset?)null;
        return TypedResults.Ok(new RetentionOverview(settings, RetentionOptions.TimeZone, next, await retention.RecentRunsAsync(RecentRuns, ct)));
    }

    private static async Task<Results<Ok<RetentionRun>, ProblemHttpResult>> RunNow(
        ClaimsPrincipal user, Retention retention, CancellationToken ct)
    {
        var actor = AccessActor.Of(user);
        // Not the request's token: a run the administrator stops waiting for still finishes its batches.
        var run = await retention.RunAsync(RetentionTriggers.Manual, $"{actor.Name} ({actor.Id})", CancellationToken.None);
        return run is null
            ? Problems.Conflict("A retention run is in progress; wait for it to finish (GET /api/personal-data/retention shows it) and try again if needed.")
            : TypedResults.Ok(run);
    }
}
