using System.Collections.Concurrent;
using Umearegionen.Switchboard.Directory;

namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>
/// Whether the directory's units are open, for search results: one query loads every unit's rules,
/// then each is evaluated in memory (the evaluator is pure). A unit without stored hours is
/// "unknown", never "open". Until is when the status next changes: closing time when open, next
/// opening when closed.
/// </summary>
/// <remarks>
/// <para>
/// A unit's rules are kept in memory while <see cref="DirectoryChangeFeed"/> listens, and dropped at
/// the next change to the directory or opening hours made anywhere (by this instance, another one,
/// an import): every call an operator takes asks for its suggestions' status, and the database then
/// answered the same question 200 times a second. Without the listener every request reads the rules.
/// </para>
/// <para>
/// An answer stays true until its Until, so it is remembered per unit together with the versions
/// of the unit's hours and its municipality's policy. This matters for lines open around the clock,
/// whose end the evaluator finds only by walking its whole 400-day horizon (see docs/performance.md).
/// </para>
/// </remarks>
public sealed class UnitOpenStatus(NpgsqlDataSource dataSource, OpeningHoursEvaluator evaluator, DirectoryChangeFeed changes) : IUnitOpenStatus
{
    /// <summary>How long an "open beyond the horizon" answer (Until null) is reused.</summary>
    private static readonly TimeSpan OpenEndedReuse = TimeSpan.FromHours(1);

    /// <summary>More units than any directory holds: beyond it the kept rules are dropped (ids nobody asks for again).</summary>
    private const int MaxKeptUnits = 20_000;

    private readonly ConcurrentDictionary<Guid, Remembered> _answers = new();
    private readonly ConcurrentDictionary<Guid, KeptRules> _rules = new();

    public async Task<IReadOnlyDictionary<Guid, OpenNow>> OpenNowAsync(IReadOnlyCollection<Guid> unitIds, DateTimeOffset at, CancellationToken ct)
    {
        if (unitIds.Count == 0)
        {
            return new Dictionary<Guid, OpenNow>();
        }

        var units = await RulesAsync(unitIds.Distinct().ToList(), ct);
        return units.ToDictionary(u => u.Key, u => u.Value is { Rules: not null } unit ? Answer(unit, at) : OpenNow.Unknown);
    }

    /// <summary>Each unit's rules (null for a unit not in the directory), from memory where current.</summary>
    private async Task<Dictionary<Guid, UnitWithRules?>> RulesAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var units = new Dictionary<Guid, UnitWithRules?>(ids.Count);
        var missing = new List<Guid>();
        foreach (var id in ids)
        {
            if (_rules.TryGetValue(id, out var kept) && changes.IsCurrent(kept.Token))
            {
                units[id] = kept.Unit;
            }
            else
            {
                missing.Add(id);
            }
        }

        if (missing.Count == 0)
        {
            return units;
        }

        // Taken before the read: a change committed during it moves the generation on, so what this read kept is not used.
        var token = changes.Begin();
        IReadOnlyDictionary<Guid, UnitWithRules> loaded;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            loaded = await UnitRules.LoadAsync(conn, missing, ct);
        }

        if (_rules.Count > MaxKeptUnits)
        {
            _rules.Clear();
        }

        foreach (var id in missing)
        {
            var unit = loaded.GetValueOrDefault(id);
            units[id] = unit;
            if (token is { } t && unit is not null)
            {
                _rules[id] = new KeptRules(t, unit);
            }
        }

        return units;
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

    private sealed record KeptRules(long Token, UnitWithRules Unit);

    private sealed record Remembered((int Hours, int Policy) Versions, DateTimeOffset From, DateTimeOffset Until, OpenNow Answer);
}
