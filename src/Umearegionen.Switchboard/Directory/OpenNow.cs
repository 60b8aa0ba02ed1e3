namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// Whether a unit is open at a moment: Status is "open", "closed" or "unknown"; Until is when that
/// changes, when known.
/// </summary>
public sealed record OpenNow(string Status, DateTimeOffset? Until)
{
    public static readonly OpenNow Unknown = new("unknown", null);
}

/// <summary>
/// The one seam through which the directory learns whether units are open. The opening-hours
/// feature replaces the registration with its own implementation (it owns the rules and the
/// Swedish calendar); the directory never guesses.
/// </summary>
public interface IUnitOpenStatus
{
    Task<IReadOnlyDictionary<Guid, OpenNow>> OpenNowAsync(IReadOnlyCollection<Guid> unitIds, DateTimeOffset at, CancellationToken ct);
}

/// <summary>Until opening hours are stored, no unit's status is known, so every unit reports "unknown".</summary>
public sealed class NoOpeningHoursYet : IUnitOpenStatus
{
    public Task<IReadOnlyDictionary<Guid, OpenNow>> OpenNowAsync(IReadOnlyCollection<Guid> unitIds, DateTimeOffset at, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<Guid, OpenNow>>(unitIds.Distinct().ToDictionary(id => id, _ => OpenNow.Unknown));
}
