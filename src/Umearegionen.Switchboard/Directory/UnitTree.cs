namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// Orders an import's units parents first, in time linear in the number of units: a file of 50,000
/// chained units must not hold a database connection for seconds (docs/performance.md, "Directory import").
/// </summary>
public static class UnitTree
{
    /// <summary>A unit of the file: its key (if any) and its parent's key (if any).</summary>
    public readonly record struct Node(string? Key, string? ParentKey);

    /// <summary>
    /// Indexes into the input: <paramref name="ParentsFirst"/> holds every unit whose parents can be placed,
    /// each after its parent; <paramref name="UnknownParent"/> those whose parent key names no unit (placed too,
    /// as roots, so their sub-units are not blamed); <paramref name="Cycles"/> each cycle of parents;
    /// <paramref name="UnderCycle"/> units below a cycle, with the index of the cycle member they hang from.
    /// </summary>
    public sealed record Ordering(
        IReadOnlyList<int> ParentsFirst, IReadOnlyList<int> UnknownParent,
        IReadOnlyList<IReadOnlyList<int>> Cycles, IReadOnlyList<(int Unit, int CycleMember)> UnderCycle);

    /// <summary>
    /// Sorts topologically (Kahn): a parent key that is an existing unit's, or none, makes a root; the
    /// first unit of the file with a key owns it. Whatever is left is on a cycle or below one.
    /// </summary>
    public static Ordering Order(IReadOnlyList<Node> nodes, Func<string, bool> existing)
    {
        var indexByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Key is { } key)
            {
                indexByKey.TryAdd(key, i);
            }
        }

        var parent = new int[nodes.Count];
        var children = new List<int>?[nodes.Count];
        var ordered = new List<int>(nodes.Count);
        var unknown = new List<int>();
        var queue = new Queue<int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            parent[i] = -1;
            var parentKey = nodes[i].ParentKey;
            if (parentKey is null || existing(parentKey))
            {
                queue.Enqueue(i);
            }
            else if (indexByKey.TryGetValue(parentKey, out var p))
            {
                parent[i] = p;
                (children[p] ??= []).Add(i);
            }
            else
            {
                unknown.Add(i);
                queue.Enqueue(i);
            }
        }

        var placed = new bool[nodes.Count];
        while (queue.TryDequeue(out var i))
        {
            placed[i] = true;
            ordered.Add(i);
            foreach (var child in children[i] ?? [])
            {
                queue.Enqueue(child);
            }
        }

        if (ordered.Count == nodes.Count)
        {
            return new Ordering(ordered, unknown, [], []);
        }

        // Each unit has one parent, so every unit left leads up into exactly one cycle. Walk up from each
        // once, stamping the walk; meeting the current walk's stamp closes a new cycle.
        var walk = new int[nodes.Count];
        var cycleMember = new int[nodes.Count];
        Array.Fill(cycleMember, -1);
        var cycles = new List<IReadOnlyList<int>>();
        var path = new List<int>();
        for (var start = 0; start < nodes.Count; start++)
        {
            if (placed[start] || walk[start] != 0)
            {
                continue;
            }

            path.Clear();
            var at = start;
            while (!placed[at] && walk[at] == 0)
            {
                walk[at] = start + 1;
                path.Add(at);
                at = parent[at];
            }

            int member;
            if (walk[at] == start + 1)
            {
                var from = path.IndexOf(at);
                var cycle = path.GetRange(from, path.Count - from);
                cycles.Add(cycle);
                foreach (var c in cycle)
                {
                    cycleMember[c] = c;
                }

                member = at;
            }
            else
            {
                member = cycleMember[at];
            }

            foreach (var p in path.Where(p => cycleMember[p] < 0))
            {
                cycleMember[p] = member;
            }
        }

        var under = Enumerable.Range(0, nodes.Count)
            .Where(i => !placed[i] && cycleMember[i] != i)
            .Select(i => (i, cycleMember[i]))
            .ToList();
        return new Ordering(ordered, unknown, cycles, under);
    }
}
