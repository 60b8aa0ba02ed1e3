using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

[JsonConverter(typeof(CamelCaseEnumConverter<DayTreatmentKind>))]
public enum DayTreatmentKind
{
    /// <summary>The weekly schedule applies as usual.</summary>
    Normal,

    /// <summary>Closed all day.</summary>
    Closed,

    /// <summary>Open during <see cref="DayTreatment.Hours"/> instead of the weekly schedule.</summary>
    Hours,

    /// <summary>The weekly schedule, but every interval ends by <see cref="DayTreatment.At"/>.</summary>
    CloseEarly,
}

/// <summary>How a special day (holiday, eve, day before a holiday) is handled.</summary>
/// <param name="Kind">Which treatment.</param>
/// <param name="Hours">The opening hours, only with <see cref="DayTreatmentKind.Hours"/>.</param>
/// <param name="At">The local closing time, only with <see cref="DayTreatmentKind.CloseEarly"/>.</param>
public sealed record DayTreatment(DayTreatmentKind Kind, IReadOnlyList<TimeRange>? Hours = null, [property: JsonConverter(typeof(OptionalHourMinuteConverter))] TimeOnly? At = null)
{
    public static DayTreatment Normal { get; } = new(DayTreatmentKind.Normal);

    public static DayTreatment Closed { get; } = new(DayTreatmentKind.Closed);

    public static DayTreatment Open(params IReadOnlyList<TimeRange> hours) => new(DayTreatmentKind.Hours, hours);

    public static DayTreatment CloseEarly(TimeOnly at) => new(DayTreatmentKind.CloseEarly, At: at);
}
