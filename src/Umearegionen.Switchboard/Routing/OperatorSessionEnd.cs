using Dapper;
using Npgsql;
using Umearegionen.Switchboard.Access;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// When an operator's sessions end (account disabled, password set, role changed): in the same
/// transaction the operator goes offline and a call offered to them goes back to the queue in its place,
/// with the platform told to stop ringing. Their hub connections close within seconds
/// (<see cref="RevokedConnections"/>), and the dispatcher and the intake never pick a disabled account
/// or one that is no longer an operator (docs/decisions/0005-revocation-by-security-stamp.md).
/// </summary>
public sealed class OperatorSessionEnd(TimeProvider clock, Dispatcher dispatcher, Instructions instructions, RoutingNotifier notifier)
    : ISessionEndHandler
{
    private const string Sql = """
        with op as (
            update operators set status = 'offline', paused_reason = null, status_changed_at = @now
            where account_id = @accountId and status <> 'offline'
        ), c as (
            update calls set state = 'queued', offered_to = null, offered_at = null, offer_expires_at = null,
                             version = version + 1
            where state = 'offered' and offered_to = @accountId
            returning id, platform_call_id
        ), o as (
            update offers set resolution = 'withdrawn', resolved_at = @now
            from c where offers.call_id = c.id and offers.resolution is null
        ), e as (
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'offer_withdrawn', @now, 'access', jsonb_build_object('operatorId', @accountId, 'reason', 'sessions ended')
            from c
        ), i as (
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            select id, platform_call_id, 'stop_ringing', jsonb_build_object('operatorId', @accountId), @now from c
        )
        select count(*) from c
        """;

    public async Task EndAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid accountId, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, new { accountId, now = clock.GetUtcNow() },
            transaction, cancellationToken: ct));

    public void Ended(Guid accountId)
    {
        instructions.Pulse();
        dispatcher.Wake();
        notifier.Changed();
    }
}
