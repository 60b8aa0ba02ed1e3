using System.Collections.Concurrent;

namespace Umearegionen.Switchboard.LoadTests.Harness;

/// <summary>Errors by kind (e.g. "intake: 503", "accept: hub error"), counted across threads.</summary>
public sealed class ErrorCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string kind) => _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public long Total => _counts.Values.Sum();

    public IReadOnlyList<KeyValuePair<string, long>> ByKind() =>
        _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
}
