namespace Umearegionen.Switchboard.OpeningHours.Domain;

/// <summary>Everything that decides when a unit is open, and what to do when it is not.</summary>
/// <param name="Weekly">The ordinary week.</param>
/// <param name="Exceptions">Dated deviations; they replace the week, and meet holidays as <see cref="DateException"/> describes.</param>
/// <param name="Holidays">The effective holiday policy (a municipality's, merged with a unit's override).</param>
/// <param name="WhenClosed">What callers are offered while closed.</param>
public sealed record OpeningRules(
    WeeklySchedule Weekly,
    IReadOnlyList<DateException> Exceptions,
    HolidayPolicy Holidays,
    ClosedAction WhenClosed)
{
    /// <summary>Problems a person must fix before the rules are used; empty when the rules are sound.</summary>
    public IReadOnlyList<RuleError> Validate() => OpeningRulesValidation.Validate(this);
}

/// <summary>A validation problem: where (e.g. "Weekly.Monday[1]") and what to do about it.</summary>
public sealed record RuleError(string Path, string Message);
