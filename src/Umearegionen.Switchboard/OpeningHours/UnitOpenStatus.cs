using Npgsql;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.OpeningHours.Domain;

namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>
/// Whether the directory's units are open, for search results: one query loads every unit's rules,
/// then each is evaluated in memory (the evaluator is pure). A unit without stored hours is
/// "unknown", never "open". Until is when the status next changes: closing time when open, next
/// opening when closed.
/// </summary>
public sealed class UnitOpenStatus(NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator) : IUnitOpenStatus
{
    public async Task<IReadOnlyDictionary<Guid, OpenNow>> OpenNowAsync(IReadOnlyCollection<Guid> unitIds, DateTimeOffset at, CancellationToken ct)
    {
        if (unitIds.Count == 0)
        {
            return new Dictionary<Guid, OpenNow>();
        }

        IReadOnlyDictionary<Guid, UnitWithRules> units;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            units = await UnitRules.LoadAsync(conn, unitIds, ct);
        }

        return unitIds.Distinct().ToDictionary(id => id, id => units.GetValueOrDefault(id)?.Rules is { } rules
            ? ToOpenNow(evaluator.Evaluate(rules, at))
            : OpenNow.Unknown);
    }

    public static OpenNow ToOpenNow(OpenStatus status) =>
        status.IsOpen ? new OpenNow("open", status.ClosesAt) : new OpenNow("closed", status.OpensAt);
}
