namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The current disruption notices, cached in memory (the database is the source of truth) because
/// every offer looks up the notices matching its call.
/// </summary>
public sealed class NoticeBoard(NpgsqlDataSource dataSource, TimeProvider clock, ClusterSignals signals)
{
    private volatile IReadOnlyList<NoticeView> _notices = [];

    public IReadOnlyList<NoticeView> Current()
    {
        var now = clock.GetUtcNow();
        return _notices.Where(n => n.ExpiresAt > now && n.PublishedAt <= now).ToList();
    }

    /// <summary>Notices for the call's municipality whose topics include the menu topic (or that name no topic).</summary>
    public IReadOnlyList<NoticeView> ForCall(string? municipalityCode, string? menuTopic) =>
        Current().Where(n => Matches(n, municipalityCode, menuTopic)).ToList();

    public static bool Matches(NoticeView notice, string? municipalityCode, string? menuTopic) =>
        string.Equals(notice.MunicipalityCode, municipalityCode, StringComparison.Ordinal)
        && (notice.Topics.Count == 0
            || (menuTopic is not null && notice.Topics.Any(t => menuTopic.Contains(t, StringComparison.OrdinalIgnoreCase)
                                                               || t.Contains(menuTopic, StringComparison.OrdinalIgnoreCase))));

    /// <summary>True when a cached notice has expired since the last look, so screens must be told.</summary>
    public bool HasExpired() => _notices.Any(n => n.ExpiresAt <= clock.GetUtcNow());

    /// <summary>A notice was published or withdrawn here: reload, and have every other node reload too.</summary>
    public async Task ChangedAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        signals.Publish(Signal.Notices);
    }

    public async Task ReloadAsync(CancellationToken ct)
    {
        const string Sql = """
            select id, municipality_code, topics, text, published_at, expires_at, published_by, answer_ids
            from notices
            where withdrawn_at is null and expires_at > @now
            order by published_at desc
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<NoticeRow>(new CommandDefinition(Sql, new { now = clock.GetUtcNow() }, cancellationToken: ct));
        _notices = rows.Select(r => r.ToView()).ToList();
    }

    // A class rather than a positional record: Dapper's constructor matching does not take text[] as string[].
    internal sealed class NoticeRow
    {
        public Guid Id { get; init; }

        public string MunicipalityCode { get; init; } = "";

        public string[] Topics { get; init; } = [];

        public string Text { get; init; } = "";

        public DateTimeOffset PublishedAt { get; init; }

        public DateTimeOffset ExpiresAt { get; init; }

        public string PublishedBy { get; init; } = "";

        public Guid[] AnswerIds { get; init; } = [];

        public NoticeView ToView() => new(Id, MunicipalityCode, Topics, Text, PublishedAt, ExpiresAt, PublishedBy, AnswerIds);
    }
}
