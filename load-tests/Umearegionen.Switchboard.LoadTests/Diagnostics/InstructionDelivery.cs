using System.Globalization;
using System.Text;
using Npgsql;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>
/// How long the run's instructions to the platform took from being stored to being acknowledged, read
/// from the outbox (<c>telephony_instructions</c>). The simulated platform acknowledges what it carried
/// out with its next report, or holds an acknowledgement without an event for at most a second; an
/// instruction acknowledged <see cref="Late"/> or later reached the platform only by redelivery
/// (<c>Telephony:RedeliverAfter</c>, 10 s) or after a fault.
/// </summary>
public static class InstructionDelivery
{
    public static readonly TimeSpan Late = TimeSpan.FromSeconds(5);

    public sealed record Kind(string Name, long Stored, long Acknowledged, double P50Ms, double P99Ms, double MaxMs, long LateCount);

    public static async Task<IReadOnlyList<Kind>> ReadAsync(string connectionString, CancellationToken ct)
    {
        const string Sql = """
            select kind, count(*) as stored, count(acknowledged_at) as acknowledged,
                   coalesce(percentile_cont(0.5) within group (order by ms), 0) as p50,
                   coalesce(percentile_cont(0.99) within group (order by ms), 0) as p99,
                   coalesce(max(ms), 0) as max,
                   count(*) filter (where ms >= @late) as late
            from (select kind, acknowledged_at, extract(epoch from acknowledged_at - created_at)::float8 * 1000 as ms
                  from telephony_instructions where platform_call_id not like 'demo-history-%') i
            group by kind order by kind
            """;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Sql, conn) { CommandTimeout = 300 };
        cmd.Parameters.AddWithValue("late", Late.TotalMilliseconds);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var kinds = new List<Kind>();
        while (await reader.ReadAsync(ct))
        {
            kinds.Add(new Kind(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4),
                reader.GetDouble(5), reader.GetInt64(6)));
        }

        return kinds;
    }

    public static string Markdown(IReadOnlyList<Kind> kinds)
    {
        var md = new StringBuilder();
        md.AppendLine("From the instruction's `created_at` (the service's clock in the transaction that stored it) to its `acknowledged_at`: ");
        md.AppendLine("the commit, the pulse, the platform's long poll, its work and its report (an acknowledgement without an event is ");
        md.AppendLine(CultureInfo.InvariantCulture, $"held up to 1 s). {Late.TotalSeconds:0} s or later means redelivery (10 s) or a fault.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| kind | stored | acknowledged | p50 (ms) | p99 (ms) | max (ms) | acknowledged {Late.TotalSeconds:0} s or later |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var k in kinds)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {k.Name} | {k.Stored} | {k.Acknowledged} | {k.P50Ms:0} | {k.P99Ms:0} | {k.MaxMs:0} | {k.LateCount} |");
        }

        return md.ToString();
    }
}
