using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Umearegionen.Switchboard.Access;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.PersonalData;

/// <summary>Administrators erase a citizen's data on request (docs/personal-data.md, "Register extracts and erasure").</summary>
public static class PersonalDataApi
{
    public static RouteGroupBuilder MapPersonalData(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/personal-data")
            .RequireAuthorization(Policies.Administrators)
            .WithTags("Personal data");
        group.MapPost("/erasures", Erase)
            .WithSummary("Erase what is stored about a phone number or a name, except what must be kept (listed with the reason).");
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
}
