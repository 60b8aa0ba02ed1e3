using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;

namespace Umearegionen.Switchboard.Live;

/// <summary>
/// Who may call a hub method: a named policy (<see cref="Policies"/>), checked by <see cref="HubRefusals"/>.
/// Used instead of [Authorize] on hub methods because SignalR refuses those before any filter runs, with
/// a text that carries no code ("Failed to invoke 'X' because user is unauthorized"); docs/decisions/0007.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HubPolicyAttribute(string policy) : Attribute
{
    public string Policy { get; } = policy;
}

/// <summary>
/// Refuses a hub invocation whose caller's role may not call the method, with <c>forbidden</c>
/// (docs/hub.md, "Errors"). A method that names no policy is refused (deny by default).
/// </summary>
public sealed class HubRefusals(IAuthorizationService authorization) : IHubFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, string?> PolicyOf = new();

    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var policy = PolicyOf.GetOrAdd(invocationContext.HubMethod, m => m.GetCustomAttribute<HubPolicyAttribute>()?.Policy);
        var user = invocationContext.Context.User;
        if (policy is null || user is null || !(await authorization.AuthorizeAsync(user, invocationContext, policy)).Succeeded)
        {
            throw Forbidden(invocationContext.HubMethodName, policy, user);
        }

        return await next(invocationContext);
    }

    private static HubException Forbidden(string method, string? policy, System.Security.Claims.ClaimsPrincipal? user)
    {
        var role = Roles.People.FirstOrDefault(r => user?.IsInRole(r) == true) ?? "none";
        var who = policy switch
        {
            Policies.Operators => "operators",
            Policies.Managers => "managers and administrators",
            Policies.Staff => "signed-in staff",
            null => "no one",
            _ => policy,
        };
        return new HubException($"{HubErrors.Forbidden}: {method} is for {who}; your role ({role}) may not call it.");
    }
}

/// <summary>
/// The outermost hub filter: a failure the service did not foresee (the database down, a bug) leaves as
/// <c>server-error</c> rather than as SignalR's text without a code, and is logged here with its exception
/// (SignalR itself logs it only at Debug). Refusals (a HubException with its code) are logged as information.
/// </summary>
public sealed partial class HubFailures(ILogger<HubFailures> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException refusal)
        {
            // A refusal is the client's to act on: logged as information, by its code only (the rest of the
            // message may quote what the operator typed), without a stack trace.
            LogRefused(logger, invocationContext.HubMethodName, refusal.Message.Split(':', 2)[0]);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var method = invocationContext.HubMethodName;
            LogFailed(logger, ex, method, invocationContext.Context.ConnectionId);
            throw new HubException($"{HubErrors.ServerError}: the service failed to carry out {method}; it may or may not " +
                                   "have been done. Check the screen (Resync) and try again; tell support if it happens again.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hub method {HubMethod} refused: {HubError}")]
    private static partial void LogRefused(ILogger logger, string hubMethod, string hubError);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed on connection {ConnectionId}")]
    private static partial void LogFailed(ILogger logger, Exception ex, string method, string connectionId);
}
