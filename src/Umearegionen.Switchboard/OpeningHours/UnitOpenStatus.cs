using System.Collections.Concurrent;
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
/// <remarks>
/// An answer stays true until its Until, so it is remembered per unit together with the versions
/// of the unit's hours and its municipality's policy, which every request reads from the database:
/// a change made anywhere (by this instance or another) shows at once. This matters for lines open
/// around the clock, whose end the evaluator finds only by walking its whole 400-day horizon
/// (see docs/performance.md).
/// </remarks>
public sealed class UnitOpenStatus(NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator) : IUnitOpenStatus
{
    /// <summary>How long an "open beyond the horizon" answer (Until null) is reused.</summary>
    private static readonly TimeSpan OpenEndedReuse = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<Guid, Remembered> _answers = new();

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

        return unitIds.Distinct().ToDictionary(id => id, id => units.GetValueOrDefault(id) is { Rules: not null } unit
            ? Answer(unit, at)
            : OpenNow.Unknown);
    }

    private OpenNow Answer(UnitWithRules unit, DateTimeOffset at)
    {
        var versions = (unit.Hours!.Version, unit.PolicyVersion);
        if (_answers.TryGetValue(unit.UnitId, out var known) && known.Versions == versions && known.From <= at && at < known.Until)
        {
            return known.Answer;
        }

        var answer = ToOpenNow(evaluator.Evaluate(unit.Rules!, at));
        _answers[unit.UnitId] = new Remembered(versions, at, answer.Until ?? at + OpenEndedReuse, answer);
        return answer;
    }

    public static OpenNow ToOpenNow(OpenStatus status) =>
        status.IsOpen ? new OpenNow("open", status.ClosesAt) : new OpenNow("closed", status.OpensAt);

    private sealed record Remembered((int Hours, int Policy) Versions, DateTimeOffset From, DateTimeOffset Until, OpenNow Answer);
}
