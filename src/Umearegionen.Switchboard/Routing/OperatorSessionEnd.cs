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
    private static readonly string Sql = $"""
        with c as (
            update calls set {CallSql.BackToQueue}
            where id = (select offered_call_id from operators where account_id = @accountId)
              and state = 'offered' and offered_to = @accountId
            returning id, platform_call_id
        ), op as (
            update operators set
                status = 'offline',
                paused_reason = case when status <> 'offline' then null else paused_reason end,
                status_changed_at = case when status <> 'offline' then @now else status_changed_at end,
                offered_call_id = case when offered_call_id in (select id from c) then null else offered_call_id end
            where account_id = @accountId and (status <> 'offline' or exists (select 1 from c))
        ), {CallSql.ReturnOffer("'offer_withdrawn'", actor: "'access'", operatorId: "@accountId",
                                data: "jsonb_build_object('operatorId', @accountId, 'reason', 'sessions ended')")}
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
