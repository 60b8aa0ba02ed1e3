using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

[JsonConverter(typeof(CamelCaseEnumConverter<ClosedActionKind>))]
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
