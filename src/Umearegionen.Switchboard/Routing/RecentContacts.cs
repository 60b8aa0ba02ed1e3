namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The caller's earlier calls, for the operator who has the call (docs/hub.md, "Recent contacts";
/// docs/personal-data.md): so a caller put through wrongly is not sent to the same place again. Read
/// when the call is accepted or shown again (Resync, GetRecentContacts), never at intake or offer.
/// </summary>
/// <remarks>
/// The number is matched inside the database by the call's id: it never reaches this code, a log or the
/// answer. A number removed by retention or erasure is null on its calls (PersonalData/Redaction.cs), so
/// they no longer match; a withheld number ("anonymous") matches nothing.
/// </remarks>
public sealed class RecentContacts(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RoutingOptions> options, ILogger<RecentContacts> logger)
{
    /// <summary>How many earlier calls are listed, newest first.</summary>
    public const int Count = 5;

    /// <summary>
    /// The caller's other ended calls that came in since @since, newest first, through calls_by_caller
    /// (caller_number, queued_at; 0350_calls_end_made_hot.sql): one short backward index scan that passes over the
    /// caller's calls still under way (a handful at most), then per listed call its ending's rows by call id
    /// (QueryPlanTests read the plan). Where each went:
    /// a transfer's destination as its completed event stored it; a callback's unit; a message's recipient;
    /// a fault report's municipality. The unit and municipality come from the directory while the entry is
    /// there (a person's unit for a person). A transfer bounced back when statistics marked its fact so
    /// (call_facts.bounced_back, marked at the next call's intake).
    /// </summary>
    internal const string Sql = """
        with this as (
            select caller_number from calls
            where id = @callId and caller_number is not null and caller_number not in ('', 'anonymous')
        ), earlier as (
            select c.id, c.queued_at, coalesce(c.outcome, c.state) as outcome
            from this, calls c
            where c.caller_number = this.caller_number and c.completed_at is not null and c.queued_at >= @since and c.id <> @callId
            order by c.queued_at desc
            limit @count
        ), went as (
            select e.id, e.queued_at, e.outcome,
                   coalesce(t.d ->> 'kind', case when b.id is not null then 'unit' end, m.recipient_kind) as to_kind,
                   coalesce(t.d ->> 'name', b.unit_name, m.recipient_name) as to_name,
                   coalesce(t.d ->> 'id', b.unit_id, m.recipient_id) as to_id,
                   r.municipality_code as report_municipality
            from earlier e
            left join lateral (
                select ev.data -> 'details' as d from call_events ev
                where ev.call_id = e.id and ev.type = 'completed'
                order by ev.id desc limit 1
            ) t on e.outcome = 'transferred'
            left join callbacks b on e.outcome = 'callback' and b.call_id = e.id
            left join messages m on e.outcome = 'message' and m.call_id = e.id
            left join fault_reports r on e.outcome = 'fault_report' and r.call_id = e.id
        ), directory_id as (
            select w.*, case when w.to_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                             then w.to_id::uuid end as entry_id
            from went w
        )
        select w.queued_at as at, w.outcome, w.to_kind, w.to_name,
               coalesce(u.id, pu.id) as unit_id, coalesce(u.name, pu.name) as unit_name,
               mu.code as municipality_code, mu.name as municipality_name,
               coalesce(f.bounced_back, false) as bounced_back
        from directory_id w
        left join directory_units u on w.to_kind = 'unit' and u.id = w.entry_id
        left join directory_people p on w.to_kind = 'person' and p.id = w.entry_id
        left join directory_units pu on pu.id = p.unit_id
        left join municipalities mu on mu.code = coalesce(u.municipality_code, pu.municipality_code, w.report_municipality)
        left join call_facts f on w.outcome = 'transferred' and f.call_id = w.id
        order by w.queued_at desc, w.id desc
        """;

    /// <summary>
    /// The view with the caller's recent contacts, for the operator who has just taken the call or shows it
    /// again. A failure here must not undo or hide the call: it is logged and the view goes without
    /// (RecentContacts null; GetRecentContacts retries). Null as well when Routing:RecentContactsWindow is zero.
    /// Within a step's transaction (<paramref name="step"/>) a failure goes back to <see cref="ViewReads.Savepoint"/>.
    /// </summary>
    internal async Task<CallView> ForCallAsync(
        NpgsqlConnection conn, CallView call, DateTimeOffset now, CancellationToken ct, NpgsqlTransaction? step = null)
    {
        if (options.Value.RecentContactsWindow <= TimeSpan.Zero)
        {
            return call;
        }

        try
        {
            return call with { RecentContacts = await ReadAsync(conn, call.Id, now, ct) };
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            RoutingLog.RecentContactsFailed(logger, ex, call.Id);
            await ViewReads.RecoverAsync(step);
            return call;
        }
    }

    /// <summary>GetRecentContacts: only for the operator who has the call (connected to them); empty when the window is zero.</summary>
    public async Task<IReadOnlyList<RecentContact>> ForOperatorAsync(Guid me, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallHolder>(new CommandDefinition(
            "select state, operator_id from calls where id = @callId", new { callId }, cancellationToken: ct))
            ?? throw RoutingErrors.NotFound($"there is no call {callId}.");
        if (call.State != CallStates.Connected || call.OperatorId != me)
        {
            throw RoutingErrors.Of(HubErrors.NotYourCall, "the caller's recent contacts are shown only to the operator who has the call.");
        }

        return options.Value.RecentContactsWindow <= TimeSpan.Zero ? [] : await ReadAsync(conn, callId, clock.GetUtcNow(), ct);
    }

    private async Task<IReadOnlyList<RecentContact>> ReadAsync(NpgsqlConnection conn, Guid callId, DateTimeOffset now, CancellationToken ct) =>
        (await conn.QueryAsync<RecentContact>(new CommandDefinition(
            Sql, new { callId, since = now - options.Value.RecentContactsWindow, count = Count }, cancellationToken: ct))).AsList();

    private sealed record CallHolder(string State, Guid? OperatorId);
}
