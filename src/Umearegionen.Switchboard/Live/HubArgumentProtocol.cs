using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Umearegionen.Switchboard.Live;

/// <summary>
/// SignalR's JSON protocol ("json"), except that arguments it cannot read into the method's types (a number or
/// "not-a-guid" for <c>callId</c>, a string for a request object, too many or too few arguments, an unknown
/// method) are refused with <c>invalid: …</c> naming the method's parameters, instead of SignalR's text without
/// a code. SignalR reads the arguments before any hub filter runs and answers a binding failure with
/// "Failed to invoke 'X' due to an error on the server."; it appends the exception's type and message only when
/// the exception is a <see cref="HubException"/>, so the failure is handed on as one. Everything else, reading
/// and writing alike, is <see cref="JsonHubProtocol"/>'s, byte for byte, so the Redis backplane (which serializes
/// with the registered protocols) and every client see the same JSON. Registered after AddSignalR: the resolver
/// keeps the last protocol registered under a name.
/// </summary>
public sealed partial class HubArgumentProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(options);

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!_json.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        message = message switch
        {
            InvocationBindingFailureMessage failure => new InvocationBindingFailureMessage(
                failure.InvocationId, failure.Target, Refusal(failure.Target, failure.BindingFailure.SourceException, binder)),
            StreamBindingFailureMessage failure => new StreamBindingFailureMessage(
                failure.Id, ExceptionDispatchInfo.Capture(new HubException($"{HubErrors.Invalid}: a stream item could not be read; " +
                                                                           "the hub takes no streams (docs/hub.md)."))),
            _ => message,
        };
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _json.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _json.GetMessageBytes(message);

    private static ExceptionDispatchInfo Refusal(string method, Exception failure, IInvocationBinder binder) =>
        ExceptionDispatchInfo.Capture(new HubException($"{HubErrors.Invalid}: {Explain(method, failure, binder)}"));

    /// <summary>What was wrong and what the method takes, for a person writing a client.</summary>
    public static string Explain(string method, Exception failure, IInvocationBinder binder)
    {
        IReadOnlyList<Type> types;
        try
        {
            types = binder.GetParameterTypes(method);
        }
        catch (Exception)
        {
            // The binder knows no such method.
            return $"{Quote(method)} is not a method of the hub; the methods and their arguments are listed in docs/hub.md.";
        }

        var parameters = ClientParameters(method, types);
        var signature = $"{method} takes {(parameters.Count == 0 ? "no arguments" : string.Join(", ", parameters.Select(p => $"{p.Name} ({Describe(p.Type)})")))}";
        // JsonHubProtocol wraps the serializer's exception ("Error binding arguments. …").
        var json = failure as JsonException ?? failure.InnerException as JsonException;
        if (json is not null && parameters.Count == 1)
        {
            var field = json.Path is null or "$" ? parameters[0].Name : BadInput.FieldOf(json.Path);
            return $"{field} could not be read (wrong JSON type or value); {signature} (docs/hub.md).";
        }

        if (ArgumentCount().Match(failure.Message) is { Success: true } count)
        {
            return $"{count.Groups["sent"].Value} argument(s) were sent; {signature} (docs/hub.md).";
        }

        return $"the arguments could not be read (wrong JSON type or value); {signature} (docs/hub.md).";
    }

    // JsonHubProtocol's "Invocation provides 2 argument(s) but target expects 1."
    [GeneratedRegex(@"provides (?<sent>\d+) argument")]
    private static partial Regex ArgumentCount();

    private static string Quote(string method) => method.Length > 80 || method.Any(char.IsControl) ? "the method named" : $"'{method}'";

    /// <summary>The hub method's parameters that the client sends (the rest come from the service), by name.</summary>
    private static List<(string Name, Type Type)> ClientParameters(string method, IReadOnlyList<Type> types)
    {
        var candidate = typeof(SwitchboardHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .FirstOrDefault(m => string.Equals(m.Name, method, StringComparison.OrdinalIgnoreCase));
        var named = candidate?.GetParameters().Where(p => types.Contains(p.ParameterType)).Take(types.Count).ToList();
        return named is not null && named.Count == types.Count
            ? named.Select(p => (p.Name!, p.ParameterType)).ToList()
            : types.Select((t, i) => ($"argument {i + 1}", t)).ToList();
    }

    private static string Describe(Type type) =>
        type == typeof(Guid) ? "an id such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        : type == typeof(string) ? "a string"
        : type.IsClass && type.Assembly == typeof(HubErrors).Assembly
            ? $"an object {{ {string.Join(", ", type.GetProperties().Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]))} }}"
            : BadInput.Expected(type.Name);
}
