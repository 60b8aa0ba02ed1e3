using System.Text;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>One call's way from intake to its first offer, read from the database (milliseconds).</summary>
/// <param name="ToRoundMs">From the intake's clock reading (<c>queued_at</c>) to the start of the dispatcher's round that offered it.</param>
/// <param name="IntakeStoredMs">From that reading to the commit of the intake; null without commit times.</param>
/// <param name="OfferStoredMs">From the round's start to the commit of the offer; null without commit times.</param>
/// <param name="OnArrival">Offered by the intake in the statement that stored it (the same transaction), not by a round.</param>
/// <param name="QueuedAtUtc">The intake's clock reading, on the wall clock the generator shares with the service.</param>
/// <param name="OfferCommittedUtc">The commit of the call's first offer; null without commit times.</param>
public sealed record ServiceCallTimes(
    string PlatformCallId, double ToRoundMs, double? IntakeStoredMs, double? OfferStoredMs, bool OnArrival = false,
    DateTime? QueuedAtUtc = null, DateTime? OfferCommittedUtc = null);

/// <summary>
/// A call's first intake-to-offer as the generator measured it, with its two ends on the wall clock:
/// when the intake was sent and when the operator's client received the offer.
/// </summary>
public sealed record MeasuredOffer(double Ms, DateTime SentUtc, DateTime ReceivedUtc);

/// <summary>
/// Where intake-to-offer time goes inside the service. The generator measures from sending the intake
/// to the operator's client receiving the offer; the database knows when the intake read the clock
/// (<c>calls.queued_at</c>), when the dispatcher's round that offered the call began (the <c>offered</c>
/// event's time) and, with <c>track_commit_timestamp = on</c> (the load-test cluster has it), when the
/// intake and the offer were committed. What the service's figures leave out of the generator's is the
/// HTTP request, the commit's wait for the log flush (a commit's time is taken before it), the push to
/// the operator and the client.
/// </summary>
public static class ServiceSideLatency
{
    public const string IntakeStored = "intake stored";
    public const string OfferedOnArrival = "intake stored with its offer (offered on arrival)";
    public const string WaitForRound = "queued until the round that offered it";
    public const string OfferStored = "round to offer stored";
    public const string Total = "intake to offer stored";
    public const string ToRound = "intake to the dispatcher's round";
    public const string Outside = "outside: HTTP, pool, log flush, push, client";
    public const string BeforeIntake = "outside, before: sent to the intake's clock reading (HTTP, pool)";
    public const string AfterOffer = "outside, after: offer's commit time to received (log flush, push, client)";

    public static async Task<(bool CommitTimes, IReadOnlyList<ServiceCallTimes> Calls)> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        bool commitTimes;
        await using (var setting = new NpgsqlCommand("select current_setting('track_commit_timestamp')::bool", conn))
        {
            commitTimes = (bool)(await setting.ExecuteScalarAsync(ct))!;
        }

        // A call's first offer only: later ones follow a decline or a lapsed offer, not the intake.
        // Events are never updated, so each row's xmin is the transaction that wrote it. Read from the
        // stored rows (the view call_history_events has no xmin): an offer made on arrival is stored in
        // the `received` row's data (docs/decisions/0023), so that row is the offer's too.
        var sql = $"""
            select c.platform_call_id,
                   extract(epoch from o.occurred_at - c.queued_at) * 1000 as to_round_ms,
                   {(commitTimes ? "extract(epoch from pg_xact_commit_timestamp(r.xmin) - c.queued_at) * 1000" : "null::numeric")} as intake_ms,
                   {(commitTimes ? "extract(epoch from pg_xact_commit_timestamp(o.xmin) - o.occurred_at) * 1000" : "null::numeric")} as offer_ms,
                   r.xmin = o.xmin as on_arrival,
                   c.queued_at,
                   {(commitTimes ? "pg_xact_commit_timestamp(o.xmin)" : "null::timestamptz")} as offer_committed
            from calls c
            join call_events r on r.call_id = c.id and r.type = 'received'
            join lateral (
                select e.occurred_at, e.xmin from call_events e
                where e.call_id = c.id and (e.type = 'offered' or (e.type = 'received' and e.data ? 'offer'))
                order by e.id limit 1
            ) o on true
            where c.platform_call_id not like 'demo-history-%'
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 300 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var calls = new List<ServiceCallTimes>();
        while (await reader.ReadAsync(ct))
        {
            calls.Add(new ServiceCallTimes(
                reader.GetString(0),
                (double)reader.GetDecimal(1),
                reader.IsDBNull(2) ? null : (double)reader.GetDecimal(2),
                reader.IsDBNull(3) ? null : (double)reader.GetDecimal(3),
                reader.GetBoolean(4),
                reader.GetFieldValue<DateTime>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTime>(6)));
        }

        return (commitTimes, calls);
    }

    /// <summary>
    /// Percentiles of each part per phase, the phase being the one the generator placed the call in.
    /// <paramref name="placed"/> gives, for a platform call id, that phase and the intake-to-offer the
    /// generator measured (null for calls it did not place; the measure null if it saw no offer). The
    /// outside part is then split at the service's two ends: before the intake read the clock, and
    /// after the offer was committed. The generator and the service share the machine's wall clock.
    /// </summary>
    public static IReadOnlyList<(string Phase, LatencySummary Summary)> Summarise(
        IReadOnlyList<ServiceCallTimes> calls, Func<string, (string Phase, MeasuredOffer? Measured)?> placed, IReadOnlyList<string> phaseOrder)
    {
        var recorders = new Dictionary<(string Phase, string Part), LatencyRecorder>();

        void Record(string phase, string part, double ms)
        {
            if (!recorders.TryGetValue((phase, part), out var recorder))
            {
                recorders[(phase, part)] = recorder = new LatencyRecorder(part);
            }

            // A round that read the clock just before the intake committed still finds the call: its
            // wait is then below zero, and counts as none.
            recorder.Record(TimeSpan.FromMilliseconds(Math.Max(0, ms)), TimeSpan.Zero);
        }

        foreach (var call in calls)
        {
            if (placed(call.PlatformCallId) is not var (phase, measuredOffer))
            {
                continue;
            }

            var measured = measuredOffer?.Ms;
            if (measuredOffer is { } m && call is { QueuedAtUtc: { } queuedAt, OfferCommittedUtc: { } committed })
            {
                Record(phase, BeforeIntake, (queuedAt - m.SentUtc).TotalMilliseconds);
                Record(phase, AfterOffer, (m.ReceivedUtc - committed).TotalMilliseconds);
            }

            if (call is { OnArrival: true, IntakeStoredMs: { } stored })
            {
                Record(phase, OfferedOnArrival, stored);
                Record(phase, Total, stored);
                if (measured is { } ms)
                {
                    Record(phase, Outside, ms - stored);
                }
            }
            else if (call is { IntakeStoredMs: { } intake, OfferStoredMs: { } offer })
            {
                Record(phase, IntakeStored, intake);
                Record(phase, WaitForRound, call.ToRoundMs - intake);
                Record(phase, OfferStored, offer);
                Record(phase, Total, call.ToRoundMs + offer);
                if (measured is { } ms)
                {
                    Record(phase, Outside, ms - (call.ToRoundMs + offer));
                }
            }
            else
            {
                Record(phase, ToRound, call.ToRoundMs);
            }
        }

        string[] parts = [OfferedOnArrival, IntakeStored, WaitForRound, OfferStored, Total, Outside, BeforeIntake, AfterOffer, ToRound];
        return phaseOrder
            .SelectMany(phase => parts.Where(part => recorders.ContainsKey((phase, part)))
                .Select(part => (phase, recorders[(phase, part)].Summary())))
            .ToList();
    }

    public static string Markdown(bool commitTimes, IReadOnlyList<(string Phase, LatencySummary Summary)> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("From the database, for each call's first offer: the intake's clock reading, the commit of the intake, the start of the");
        md.AppendLine("dispatcher's round that offered the call and the commit of that offer. \"Outside\" is, call by call, the generator's");
        md.AppendLine("intake-to-offer less the service's part: the HTTP request, the wait for a pooled connection before the intake reads");
        md.AppendLine("the clock, the commit's wait for the log flush, the push to the operator and the client. The time queued includes any");
        md.AppendLine("wait for a free operator.");
        md.AppendLine("A call that found a free operator and no queue is offered by the intake in the statement that stores it: its");
        md.AppendLine("\"intake stored with its offer\" is its whole part inside the service, and the dispatcher's parts count only the others.");
        md.AppendLine("The outside part is also split at its two ends, on the wall clock the generator shares with the service: \"before\"");
        md.AppendLine("runs from the generator sending the intake to the intake reading the clock, \"after\" from the offer's commit time");
        md.AppendLine("to the operator's client receiving it. PostgreSQL takes the commit time when it writes the commit record, before");
        md.AppendLine("the commit waits for the log's flush to disk, so that wait counts in \"after\". Each is a percentile of its own,");
        md.AppendLine("so the two need not add up to the outside's.");
        if (!commitTimes)
        {
            md.AppendLine();
            md.AppendLine("The database does not record commit times (track_commit_timestamp is off), so only the time to the dispatcher's round is shown.");
        }

        md.AppendLine();
        md.AppendLine("| phase | part | calls | p50 | p95 | p99 | max |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (phase, s) in rows)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {phase} | {s.Name} | {s.Count} | {s.P50Ms:0.0} | {s.P95Ms:0.0} | {s.P99Ms:0.0} | {s.MaxMs:0.0} |"));
        }

        return md.ToString();
    }
}
