namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>
/// How public holidays, each eve and days before holidays are handled. Defaults follow common
/// Swedish municipal practice: closed on holidays and eves, closing at 15:00 the day before.
/// </summary>
public sealed record HolidayPolicy
{
    public DayTreatment PublicHoliday { get; init; } = DayTreatment.Closed;
    public DayTreatment Paskafton { get; init; } = DayTreatment.Closed;
    public DayTreatment Midsommarafton { get; init; } = DayTreatment.Closed;
    public DayTreatment Julafton { get; init; } = DayTreatment.Closed;
    public DayTreatment Nyarsafton { get; init; } = DayTreatment.Closed;
    public DayTreatment DayBeforeHoliday { get; init; } = DayTreatment.CloseEarly(new TimeOnly(15, 0));

    public static HolidayPolicy Default { get; } = new();

    /// <summary>
    /// This policy (typically the municipality's) with a unit's overrides applied; every field the
    /// override leaves null is inherited.
    /// </summary>
    public HolidayPolicy Merge(HolidayPolicyOverride? overrides) => overrides is null ? this : new()
    {
        PublicHoliday = overrides.PublicHoliday ?? PublicHoliday,
        Paskafton = overrides.Paskafton ?? Paskafton,
        Midsommarafton = overrides.Midsommarafton ?? Midsommarafton,
        Julafton = overrides.Julafton ?? Julafton,
        Nyarsafton = overrides.Nyarsafton ?? Nyarsafton,
        DayBeforeHoliday = overrides.DayBeforeHoliday ?? DayBeforeHoliday,
    };

    public DayTreatment For(CalendarDay day) => day.Kind switch
    {
        DayKind.PublicHoliday => PublicHoliday,
        DayKind.DayBeforeHoliday => DayBeforeHoliday,
        DayKind.Eve => day.EveKind switch
        {
            EveKind.Paskafton => Paskafton,
            EveKind.Midsommarafton => Midsommarafton,
            EveKind.Julafton => Julafton,
            EveKind.Nyarsafton => Nyarsafton,
            _ => throw new ArgumentException($"Eve {day.Key} has no eve kind.", nameof(day)),
        },
        _ => throw new ArgumentException($"Unknown day kind {day.Kind}.", nameof(day)),
    };
}

/// <summary>A unit's deviations from its municipality's <see cref="HolidayPolicy"/>; null inherits.</summary>
public sealed record HolidayPolicyOverride
{
    public DayTreatment? PublicHoliday { get; init; }
    public DayTreatment? Paskafton { get; init; }
    public DayTreatment? Midsommarafton { get; init; }
    public DayTreatment? Julafton { get; init; }
    public DayTreatment? Nyarsafton { get; init; }
    public DayTreatment? DayBeforeHoliday { get; init; }
}
