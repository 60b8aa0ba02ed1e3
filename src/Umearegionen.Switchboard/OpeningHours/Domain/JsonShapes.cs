using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

// The rules travel as JSON (API, jsonb storage, audit history). These converters give them one
// readable shape whatever serializer options the caller uses: enums as camelCase strings, times as
// "HH:mm", weekdays by name. They sit on the types and members, so no global setting is involved.

/// <summary>An enum as a camelCase string ("closeEarly"); numbers are refused.</summary>
public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where T : struct, Enum;

/// <summary>A local time as "HH:mm" ("HH:mm:ss" only when it has seconds); reads either.</summary>
public sealed class HourMinuteConverter : JsonConverter<TimeOnly>
{
    private static readonly string[] Formats = ["HH:mm", "HH:mm:ss"];

    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Parse(reader.TokenType == JsonTokenType.String ? reader.GetString() : null);

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    internal static TimeOnly Parse(string? text) =>
        TimeOnly.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new JsonException($"\"{text}\" is not a time of day; write it as HH:mm, e.g. \"08:30\" (\"00:00\" as an end is midnight).");

    internal static string Format(TimeOnly time) =>
        time.ToString(time.Second == 0 && time.Millisecond == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary><see cref="HourMinuteConverter"/> for an optional time.</summary>
public sealed class OptionalHourMinuteConverter : JsonConverter<TimeOnly?>
{
    public override TimeOnly? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : HourMinuteConverter.Parse(reader.TokenType == JsonTokenType.String ? reader.GetString() : null);

    public override void Write(Utf8JsonWriter writer, TimeOnly? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            writer.WriteStringValue(HourMinuteConverter.Format(time));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Weekdays by camelCase name: ["monday", "friday"].</summary>
public sealed class WeekdaysConverter : JsonConverter<IReadOnlyList<DayOfWeek>>
{
    public override IReadOnlyList<DayOfWeek> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Give the weekdays as a list of names, e.g. [\"monday\", \"friday\"].");
        }

        var days = new List<DayOfWeek>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            days.Add(Enum.TryParse<DayOfWeek>(name, ignoreCase: true, out var day) && Enum.IsDefined(day) && !int.TryParse(name, out _)
                ? day
                : throw new JsonException($"\"{name}\" is not a weekday; use monday, tuesday, ..., sunday."));
        }

        return days;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<DayOfWeek> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var day in value)
        {
            writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(day.ToString()));
        }

        writer.WriteEndArray();
    }
}
