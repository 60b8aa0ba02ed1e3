using System.Data;

namespace Umearegionen.Switchboard.Platform;

/// <summary>Dapper conventions for the whole service: snake_case columns, instants as UTC.</summary>
public static class DapperSetup
{
    private static int _configured;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new NullableDateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new ValueHandler<DateOnly>(DbType.Date, "a date", value => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => null,
        }));
        SqlMapper.AddTypeHandler(new ValueHandler<TimeOnly>(DbType.Time, "a time of day", value => value switch
        {
            TimeOnly t => t,
            TimeSpan ts => TimeOnly.FromTimeSpan(ts),
            _ => null,
        }));
    }

    // Npgsql reads timestamptz as a UTC DateTime and only writes DateTimeOffsets with offset zero.
    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) =>
            parameter.Value = value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => Instant(value);
    }

    private sealed class NullableDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset?>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset? value) =>
            parameter.Value = value is { } v ? v.ToUniversalTime() : DBNull.Value;

        public override DateTimeOffset? Parse(object value) => value is null or DBNull ? null : Instant(value);
    }

    private static DateTimeOffset Instant(object value) => value switch
    {
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        DateTimeOffset dto => dto,
        _ => throw new DataException($"Cannot read {value.GetType()} as an instant."),
    };

    /// <summary>A date or a time of day: sent with its database type, read from what Npgsql gives back.</summary>
    private sealed class ValueHandler<T>(DbType type, string what, Func<object, T?> read) : SqlMapper.TypeHandler<T>
        where T : struct
    {
        public override void SetValue(IDbDataParameter parameter, T value)
        {
            parameter.DbType = type;
            parameter.Value = value;
        }

        public override T Parse(object value) =>
            read(value) ?? throw new DataException($"Cannot read {value.GetType()} as {what}.");
    }
}
