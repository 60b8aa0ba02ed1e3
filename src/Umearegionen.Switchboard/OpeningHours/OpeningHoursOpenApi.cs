using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>
/// Describes the opening-hours JSON as it is really written: times of day as "HH:mm" strings and
/// weekdays by name (see Domain/JsonShapes.cs); the generator cannot see through those converters.
/// </summary>
internal sealed class OpeningHoursSchemas : IOpenApiSchemaTransformer
{
    private static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonPropertyInfo?.PropertyType ?? context.JsonTypeInfo.Type;
        if (type == typeof(TimeOnly) || type == typeof(TimeOnly?))
        {
            schema.Type = type == typeof(TimeOnly) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = null;
            schema.Pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$";
            schema.Description ??= "Local time of day in Europe/Stockholm, \"HH:mm\" (an interval ending \"00:00\" ends at midnight).";
            schema.Examples = [JsonValue.Create("08:30")];
        }
        else if (context.JsonTypeInfo.Type == typeof(DayOfWeek))
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = null;
            schema.Enum = [.. Weekdays.Select(d => (JsonNode)JsonValue.Create(d))];
        }

        return Task.CompletedTask;
    }
}
