using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// On the wire and in the database by the directory's words for <c>whenClosed.kind</c>: none, on-call,
/// e-service, callback, message (see <see cref="ClosedActionKindConverter"/>).
/// </summary>
[JsonConverter(typeof(ClosedActionKindConverter))]
public enum ClosedActionKind
{
    /// <summary>Nothing to offer; the caller is told the opening hours.</summary>
    None,

    /// <summary>Refer to an on-call number (e.g. socialjouren) in <see cref="ClosedAction.Phone"/>.</summary>
    OnCallNumber,

    /// <summary>Guide the caller to the e-service at <see cref="ClosedAction.Url"/>.</summary>
    EService,

    /// <summary>Book a callback for when the unit opens.</summary>
    Callback,

    /// <summary>Read out or show <see cref="ClosedAction.Text"/>.</summary>
    Message,
}

/// <summary>What the switchboard should do with a call while the unit is closed.</summary>
public sealed record ClosedAction(ClosedActionKind Kind, string? Phone = null, string? Url = null, string? Text = null)
{
    public static ClosedAction None { get; } = new(ClosedActionKind.None);
}

/// <summary>
/// Writes a closed action's kind as the directory does (<c>on-call</c>, <c>e-service</c>), so a
/// client reads one vocabulary in units, search hits, opening status and the switchboard's hours.
/// Also reads the camelCase names (<c>onCallNumber</c>, <c>eService</c>) that stored rules and audit
/// records written before the change still hold.
/// </summary>
public sealed class ClosedActionKindConverter : JsonConverter<ClosedActionKind>
{
    public static string Name(ClosedActionKind kind) => kind switch
    {
        ClosedActionKind.OnCallNumber => "on-call",
        ClosedActionKind.EService => "e-service",
        ClosedActionKind.Callback => "callback",
        ClosedActionKind.Message => "message",
        _ => "none",
    };

    public override ClosedActionKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString() switch
        {
            "none" => ClosedActionKind.None,
            "on-call" or "onCallNumber" => ClosedActionKind.OnCallNumber,
            "e-service" or "eService" => ClosedActionKind.EService,
            "callback" => ClosedActionKind.Callback,
            "message" => ClosedActionKind.Message,
            var other => throw new JsonException($"'{other}' is no kind of closed action; use none, on-call, e-service, callback or message."),
        }
        : throw new JsonException("The kind of a closed action is a string: none, on-call, e-service, callback or message.");

    public override void Write(Utf8JsonWriter writer, ClosedActionKind value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Name(value));
}
