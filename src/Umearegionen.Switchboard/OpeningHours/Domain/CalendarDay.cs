using System.Text.Json.Serialization;

namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>What kind of special day a date is in the Swedish calendar.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DayKind>))]
public enum DayKind
{
    /// <summary>A public holiday (helgdag, "röd dag") other than an ordinary Sunday.</summary>
    PublicHoliday,

    /// <summary>One of the four eves (helgaftnar) treated like holidays in working life.</summary>
    Eve,

    /// <summary>The working day before a public holiday (dag före helgdag), often a shortened day.</summary>
    DayBeforeHoliday,
}

/// <summary>The eves, so that opening rules can treat each of them differently.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<EveKind>))]
public enum EveKind
{
    Paskafton,
    Midsommarafton,
    Julafton,
    Nyarsafton,
}

/// <summary>A special day in the Swedish calendar.</summary>
/// <param name="Date">The calendar date.</param>
/// <param name="Kind">Holiday, eve or day before a holiday.</param>
/// <param name="Key">
/// Stable machine key, e.g. "juldagen", "midsommarafton", "day-before:kristi-himmelsfardsdag".
/// When two holidays fall on the same date (Kristi himmelsfärdsdag on första maj in 2008) the
/// keys are joined with '+' in calendar order, e.g. "forsta-maj+kristi-himmelsfardsdag".
/// </param>
/// <param name="Name">Swedish display name, e.g. "Midsommarafton".</param>
/// <param name="EveKind">Which eve, when <paramref name="Kind"/> is <see cref="DayKind.Eve"/>.</param>
public sealed record CalendarDay(DateOnly Date, DayKind Kind, string Key, string Name, EveKind? EveKind = null);
