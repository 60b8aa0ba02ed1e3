using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// Operators' connections and statuses. A dropped connection is not a logout: the operator keeps
/// status, place and call until the grace period ends (the sweeper then sets them offline).
/// </summary>
public sealed class OperatorPresence(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, Dispatcher dispatcher,
    RoutingNotifier notifier, Instructions instructions)
{
    private readonly ConcurrentDictionary<Guid, Connections> _connections = new();

    public async Task ConnectedAsync(Guid accountId, string? municipalityCode, CancellationToken ct)
    {
        var connections = _connections.GetOrAdd(accountId, _ => new Connections());
        await connections.Gate.WaitAsync(ct);
        try
        {
            connections.Count++;
            const string Sql = """
                insert into operators (account_id, team, status, idle_since, status_changed_at, disconnected_at, last_seen_at)
                values (@accountId, @team, 'offline', @now, @now, null, @now)
                on conflict (account_id) do update set team = excluded.team, disconnected_at = null, last_seen_at = @now
                """;
            var team = string.Equals(municipalityCode, options.Value.MainTeamMunicipality, StringComparison.Ordinal) ? "main" : "cover";
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition(Sql, new { accountId, team, now = clock.GetUtcNow() }, cancellationToken: ct));
        }
        finally
        {
            connections.Gate.Release();
        }

        dispatcher.Wake();
        notifier.Changed();
    }

    public async Task DisconnectedAsync(Guid accountId)
    {
        if (!_connections.TryGetValue(accountId, out var connections))
        {
            return;
        }

        await connections.Gate.WaitAsync();
        try
        {
            connections.Count = Math.Max(0, connections.Count - 1);
            if (connections.Count == 0)
            {
                await using var conn = await dataSource.OpenConnectionAsync();
                await conn.ExecuteAsync(
                    "update operators set disconnected_at = @now, last_seen_at = @now where account_id = @accountId",
                    new { accountId, now = clock.GetUtcNow() });
            }
        }
        finally
        {
            connections.Gate.Release();
        }

        notifier.Changed();
    }

    public async Task<OperatorState> SetStatusAsync(Guid accountId, SetStatusRequest request, CancellationToken ct)
    {
        if (!OperatorStatuses.All.Contains(request.Status))
        {
            throw RoutingErrors.Invalid($"status must be one of {string.Join(", ", OperatorStatuses.All)}.");
        }

        if (request.Status == OperatorStatuses.Paused && string.IsNullOrWhiteSpace(request.Reason))
        {
            throw RoutingErrors.Invalid("a reason is required when pausing (for example \"lunch\" or \"meeting\").");
        }

        if (request.Reason is { Length: > 200 })
        {
            throw RoutingErrors.Invalid("reason must be at most 200 characters.");
        }

        var now = clock.GetUtcNow();
        // Becoming available starts the idle time that decides who is offered next. Leaving
        // "available" with an offer pending hands the offer back to the queue.
        const string Sql = $"""
            update operators set
                status = @status,
                paused_reason = case when @status = 'paused' then @reason end,
                idle_since = case when @status = 'available' and status <> 'available' then @now else idle_since end,
                status_changed_at = @now
            where account_id = @accountId;

            select {OperatorRow.Columns} from operators o where o.account_id = @accountId;
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<OperatorRow>(new CommandDefinition(Sql, new
        {
            accountId, status = request.Status, reason = request.Reason?.Trim(), now,
        }, cancellationToken: ct)) ?? throw RoutingErrors.NotFound("you are not registered as an operator; reconnect to the hub.");

        if (request.Status != OperatorStatuses.Available && row.OfferedCallId is { } offered)
        {
            await CallHandling.ReturnOfferAsync(conn, offered, accountId, "declined", now, ct);
            instructions.Pulse();
            row = row with { OfferedCallId = null };
        }

        dispatcher.Wake();
        notifier.Changed();
        return row.ToState();
    }

    public async Task<OperatorState?> StateAsync(Guid accountId, CancellationToken ct)
    {
        const string Sql = $"select {OperatorRow.Columns} from operators o where o.account_id = @accountId";
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<OperatorRow>(new CommandDefinition(Sql, new { accountId }, cancellationToken: ct));
        return row?.ToState();
    }

    private sealed class Connections
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Count { get; set; }
    }
}
