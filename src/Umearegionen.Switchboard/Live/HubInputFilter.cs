using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Umearegionen.Switchboard.Live;

/// <summary>
/// Every hub method: a missing argument or a NUL character in any text of it (which PostgreSQL cannot
/// store) is refused as <c>invalid: …</c> before the method runs, instead of failing inside it as a
/// server error. Refusals are logged by <see cref="HubFailures"/>, the outermost filter.
/// </summary>
public sealed class HubInputFilter : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (HubArguments.Problem(invocationContext.HubMethod, invocationContext.HubMethodArguments) is { } problem)
        {
            throw RoutingErrors.Invalid(problem);
        }

        return next(invocationContext);
    }
}

/// <summary>Checks the arguments a client sent: the shared contract records and plain text.</summary>
public static class HubArguments
{
    private static readonly Assembly ContractsAssembly = typeof(HubErrors).Assembly;
    private static readonly ConcurrentDictionary<ParameterInfo, bool> Required = new();

    /// <summary>What is wrong with the arguments, naming the field; null when nothing is.</summary>
    public static string? Problem(MethodInfo method, IReadOnlyList<object?> arguments)
    {
        var parameters = method.GetParameters();
        for (var i = 0; i < parameters.Length && i < arguments.Count; i++)
        {
            var parameter = parameters[i];
            if (!FromClient(parameter.ParameterType))
            {
                continue;
            }

            if (arguments[i] is null && Required.GetOrAdd(parameter, IsRequired))
            {
                return $"{parameter.Name} is required; send {Describe(parameter.ParameterType)}.";
            }

            if (arguments[i] is { } argument && MissingPart(argument) is { } part)
            {
                return $"{part.Name} is required; send {Describe(part.Type)}.";
            }

            if (NulIn(arguments[i], parameter.Name!, 0) is { } field)
            {
                return $"{field} must not contain the NUL character (\\u0000); remove it and send again.";
            }
        }

        return null;
    }

    /// <summary>A contract object inside the argument left out though it is not optional (a transfer without its destination).</summary>
    private static (string Name, Type Type)? MissingPart(object argument)
    {
        foreach (var property in RequiredParts.GetOrAdd(argument.GetType(), PartsOf))
        {
            if (property.GetValue(argument) is null)
            {
                return (CamelCase(property.Name), property.PropertyType);
            }
        }

        return null;
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> RequiredParts = new();

    private static PropertyInfo[] PartsOf(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return type.Assembly != ContractsAssembly
            ? []
            : type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType.Assembly == ContractsAssembly && !p.PropertyType.IsValueType
                            && nullability.Create(p).ReadState == NullabilityState.NotNull)
                .ToArray();
    }

    private static bool FromClient(Type type) => type == typeof(string) || type.Assembly == ContractsAssembly;

    private static bool IsRequired(ParameterInfo parameter) =>
        !parameter.ParameterType.IsValueType && new NullabilityInfoContext().Create(parameter).ReadState == NullabilityState.NotNull;

    private static string Describe(Type type) => type == typeof(string)
        ? "a string"
        : $"an object {{ {string.Join(", ", type.GetProperties().Select(p => CamelCase(p.Name)))} }} (docs/hub.md)";

    /// <summary>The path of the first text holding a NUL, as the client named it (reason, destination.name).</summary>
    private static string? NulIn(object? value, string path, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s.Contains('\0') ? path : null;
            case IEnumerable items when depth < 4:
                var n = 0;
                foreach (var item in items)
                {
                    if (NulIn(item, $"{path}[{n++}]", depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
        }

        if (value.GetType().Assembly != ContractsAssembly || depth >= 4)
        {
            return null;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = depth == 0 ? CamelCase(property.Name) : $"{path}.{CamelCase(property.Name)}";
            if (property.GetIndexParameters().Length == 0 && NulIn(property.GetValue(value), name, depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
