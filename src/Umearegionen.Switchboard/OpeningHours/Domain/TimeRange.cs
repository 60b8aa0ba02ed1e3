using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// A local opening interval [Start, End) that starts on some day. When End is not after Start the
/// interval runs past midnight into the next day (an on-call line 16:30–08:00); Start == End is a
/// whole 24 hours, so 00:00–00:00 is the entire day.
/// </summary>
public sealed record TimeRange(
    [property: JsonConverter(typeof(HourMinuteConverter))] TimeOnly Start,
    [property: JsonConverter(typeof(HourMinuteConverter))] TimeOnly End)
{
    /// <summary>True when the interval ends on the next day (including a whole-day interval).</summary>
    [JsonIgnore]
    public bool EndsNextDay => End <= Start;

    /// <summary>Length by the wall clock; the real length differs on daylight-saving days.</summary>
    [JsonIgnore]
    public TimeSpan Length => EndsNextDay ? TimeSpan.FromDays(1) - (Start - End) : End - Start;

    public override string ToString() => $"{Format(Start)}–{Format(End)}";

    private static string Format(TimeOnly time) => HourMinuteConverter.Format(time);
}
