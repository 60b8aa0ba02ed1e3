using Dapper;
using Npgsql;
using Umearegionen.Switchboard.Contracts;
using Umearegionen.Switchboard.Platform.Cluster;

namespace Umearegionen.Switchboard.Routing;

/// <summary>
/// The outbox of instructions to the telephony platform. Instructions are written in the same
/// statement as the state change that causes them, and read by the platform's long poll, on whichever
/// node the platform's request reached: new instructions wake the polls of every node.
/// </summary>
public sealed class Instructions(
    NpgsqlDataSource dataSource, TimeProvider clock, Microsoft.Extensions.Options.IOptions<TelephonyOptions> options, ClusterSignals signals,
    IHostApplicationLifetime lifetime)
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes pollers, on every node: new instructions are stored.</summary>
    public void Pulse()
    {
        PulseHere();
        signals.Publish(Signal.Instructions);
    }

    /// <summary>Wakes this node's pollers (another node stored instructions).</summary>
    internal void PulseHere() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task<InstructionBatch> PollAsync(long after, TimeSpan wait, int limit, CancellationToken ct)
    {
        wait = wait > options.Value.MaxPollWait ? options.Value.MaxPollWait : wait;
        var waiting = Volatile.Read(ref _next).Task;
        var batch = await ReadAsync(after, limit, ct);
        if (batch.Instructions.Count > 0 || wait <= TimeSpan.Zero)
        {
            return batch;
        }

        try
        {
            // Transport timing, not domain time: a poll waits on the wall clock. A node that stops answers
            // its polls at once, so that the platform polls again on another node rather than wait.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            await waiting.WaitAsync(wait, stopping.Token);
        }
        catch (TimeoutException)
        {
            return batch;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The platform gave up waiting; nobody reads this answer.
            return batch;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return batch;
        }

        return await ReadAsync(after, limit, ct);
    }

    private async Task<InstructionBatch> ReadAsync(long after, int limit, CancellationToken ct)
    {
        const string Sql = """
            select seq, platform_call_id, kind, payload::text as payload, created_at
            from telephony_instructions
            where acknowledged_at is null and (seq > @after or created_at <= @redeliverBefore)
            order by seq
            limit @limit
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<InstructionRow>(new CommandDefinition(Sql, new
        {
            after, limit, redeliverBefore = clock.GetUtcNow() - options.Value.RedeliverAfter,
        }, cancellationToken: ct))).ToList();
        var instructions = rows.Select(r => r.ToInstruction()).ToList();
        return new InstructionBatch(instructions, instructions.Count == 0 ? after : Math.Max(after, instructions.Max(i => i.Seq)));
    }

    public async Task<int> AcknowledgeAsync(IReadOnlyList<long> seqs, CancellationToken ct)
    {
        const string Sql = """
            update telephony_instructions set acknowledged_at = @now
            where seq = any(@seqs) and acknowledged_at is null
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(Sql, new { seqs = seqs.ToArray(), now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    private sealed record InstructionRow(long Seq, string PlatformCallId, string Kind, string Payload, DateTimeOffset CreatedAt)
    {
        public TelephonyInstruction ToInstruction()
        {
            var payload = System.Text.Json.JsonSerializer.Deserialize<Payload>(Payload, Json.Web)!;
            return new TelephonyInstruction(Seq, PlatformCallId, Kind, payload.OperatorId, payload.Mode, payload.Destination, CreatedAt, payload.Note);
        }
    }

    private sealed record Payload(Guid? OperatorId, string? Mode, Destination? Destination, string? Note);
}
