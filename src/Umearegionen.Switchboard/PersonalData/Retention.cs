using System.Diagnostics;

namespace Umearegionen.Switchboard.PersonalData;

public static class RetentionTriggers
{
    public const string Scheduled = "scheduled";
    public const string Manual = "manual";
}

/// <summary>A retention run as recorded in retention_runs: what it removed, counted per kind, never the data.</summary>
public sealed record RetentionRun(
    long Id, DateOnly RunDate, string Trigger, string StartedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string Outcome, int Calls, int Callbacks, int Messages, int FaultReports, int ReferralReasons, int Batches, string? Error,
    int GuidanceSends, int AccessLogEntries);

/// <summary>
/// The daily removal of personal data past its retention time (docs/personal-data.md, "Retention: the
/// daily job"). It runs on the leader node at <see cref="RetentionOptions.RunAt"/>, Stockholm time, or at
/// start when that day's run has not been done; an administrator can run it at any time. Two runs never
/// overlap, whichever node or request starts them: a run holds a session-level advisory lock for as long
/// as it works (released by PostgreSQL if its node dies), and a scheduled run is done once per day
/// (retention_runs). Each batch is one short transaction that locks only rows nobody else holds
/// (skip locked), never a call that is not finished, and records its counts with its changes, so a run
/// cut short by a lost leadership leaves an exact record of what it did; the next run finishes the rest.
/// </summary>
public sealed partial class Retention(
    NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RetentionOptions> options, IOptions<SmtpOptions> smtp,
    ClusterNode cluster, ILogger<Retention> logger) : BackgroundService
{
    /// <summary>Advisory lock held by the run in progress: (LockClass, 1). ClusterNode uses 7_401_001 and 7_401_002.</summary>
    internal const int LockClass = 7_401_050;

    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById(RetentionOptions.TimeZone);

    /// <summary>After a failed scheduled run, the next attempt waits this long.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(15);

    /// <summary>When a manual run holds the lock at the scheduled time, the scheduled run tries again after this long.</summary>
    private static readonly TimeSpan BusyRetry = TimeSpan.FromMinutes(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => cluster.RunWhileLeaderAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var settings = options.Value;
            if (!settings.Enabled)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            var now = clock.GetUtcNow();
            var wait = NextRunAt(now, settings.RunAt) - now;
            if (Local(now).TimeOfDay >= settings.RunAt)
            {
                try
                {
                    // Done already (by this or another node) or done now: either way, wait for the next day.
                    if (await RunAsync(RetentionTriggers.Scheduled, cluster.Name, ct) is null)
                    {
                        wait = BusyRetry < wait ? BusyRetry : wait;
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    LogRunFailed(logger, ex);
                    wait = RetryAfter < wait ? RetryAfter : wait;
                }
            }

            await Task.Delay(wait, clock, ct);
        }
    }

    /// <summary>The next instant after <paramref name="now"/> that is <paramref name="runAt"/> in Stockholm.</summary>
    public static DateTimeOffset NextRunAt(DateTimeOffset now, TimeSpan runAt)
    {
        var day = DateOnly.FromDateTime(Local(now).DateTime);
        for (var i = 0; ; i++)
        {
            var local = day.AddDays(i).ToDateTime(TimeOnly.FromTimeSpan(runAt));
            // A time the clocks skip in spring happens an hour later that night.
            while (Stockholm.IsInvalidTime(local))
            {
                local = local.AddHours(1);
            }

            var at = new DateTimeOffset(local, Stockholm.IsAmbiguousTime(local) ? Stockholm.GetAmbiguousTimeOffsets(local).Max() : Stockholm.GetUtcOffset(local));
            if (at > now)
            {
                return at;
            }
        }
    }

    private static DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Stockholm);

    /// <summary>
    /// Runs now unless another run is in progress (null), or, for a scheduled run, unless today's is done
    /// (the completed run). Returns the run as recorded.
    /// </summary>
    public async Task<RetentionRun?> RunAsync(string trigger, string startedBy, CancellationToken ct)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(ct);
        if (!await lockConnection.ExecuteScalarAsync<bool>(new CommandDefinition(
                $"select pg_try_advisory_lock({LockClass}, 1)", cancellationToken: ct)))
        {
            return null;
        }

        try
        {
            return await RunLockedAsync(lockConnection, trigger, startedBy, ct);
        }
        finally
        {
            if (lockConnection.State == System.Data.ConnectionState.Open)
            {
                await lockConnection.ExecuteAsync($"select pg_advisory_unlock({LockClass}, 1)");
            }
        }
    }

    private async Task<RetentionRun> RunLockedAsync(NpgsqlConnection conn, string trigger, string startedBy, CancellationToken ct)
    {
        var settings = options.Value;
        var started = clock.GetUtcNow();
        var day = DateOnly.FromDateTime(Local(started).DateTime);
        if (trigger == RetentionTriggers.Scheduled)
        {
            var done = await conn.QuerySingleOrDefaultAsync<RetentionRun>(new CommandDefinition($"""
                select {RunColumns} from retention_runs
                where run_date = @day and trigger = 'scheduled' and outcome = 'completed'
                """, new { day }, cancellationToken: ct));
            if (done is not null)
            {
                return done;
            }
        }

        // This run holds the lock, so a run still marked running was cut short (its node died).
        const string StartSql = $"""
            update retention_runs set outcome = 'interrupted', finished_at = @now where outcome = 'running';
            insert into retention_runs (run_date, trigger, started_by, started_at, outcome, settings)
            values (@day, @trigger, @startedBy, @now, 'running', @settings::jsonb)
            returning id;
            """;
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(StartSql, new
        {
            day, trigger, startedBy, now = started, settings = JsonSerializer.Serialize(settings, Json),
        }, cancellationToken: ct));

        var elapsed = Stopwatch.StartNew();
        try
        {
            var kinds = new Kinds(dataSource, id, settings, smtp.Value.MaxAttempts, started);
            await kinds.RunAllAsync(ct);
            var run = await FinishAsync(conn, id, "completed", null, CancellationToken.None);
            LogRunDone(logger, id, trigger, run.Calls, run.Callbacks, run.Messages, run.FaultReports, run.ReferralReasons,
                run.GuidanceSends, run.AccessLogEntries, run.Batches, elapsed.ElapsedMilliseconds);
            return run;
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(conn, id, "interrupted", null, CancellationToken.None);
            throw;
        }
        catch (Exception ex)
        {
            // The type and message only: a failing statement's message names tables and columns, not data.
            await FinishAsync(conn, id, "failed", $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            throw;
        }
    }

    private async Task<RetentionRun> FinishAsync(NpgsqlConnection conn, long id, string outcome, string? error, CancellationToken ct) =>
        await conn.QuerySingleAsync<RetentionRun>(new CommandDefinition($"""
            update retention_runs set outcome = @outcome, finished_at = @now, error = @error where id = @id
            returning {RunColumns}
            """, new { id, outcome, error, now = clock.GetUtcNow() }, cancellationToken: ct));

    internal const string RunColumns = """
        id, run_date, trigger, started_by, started_at, finished_at, outcome, calls, callbacks, messages, fault_reports,
        referral_reasons, batches, error, guidance_sends, access_log_entries
        """;

    public async Task<IReadOnlyList<RetentionRun>> RecentRunsAsync(int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RetentionRun>(new CommandDefinition(
            $"select {RunColumns} from retention_runs order by started_at desc, id desc limit @limit",
            new { limit }, cancellationToken: ct))).AsList();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One run's work: each kind of data in batches, each batch a transaction of its own.</summary>
    private sealed class Kinds(NpgsqlDataSource dataSource, long runId, RetentionOptions settings, int maxAttempts, DateTimeOffset now)
    {
        public async Task RunAllAsync(CancellationToken ct)
        {

            // Calls in the order they came, from where the last batch stopped: each batch reads only new rows.
            var callsCutoff = now.AddDays(-settings.CallerNumbersDays);
            var after = new CallKey(Guid.Empty, new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero));
            await BatchesAsync("calls", async (conn, tx) =>
            {
                var batch = (await conn.QueryAsync<CallKey>(new CommandDefinition(SelectCalls, new
                {
                    cutoff = callsCutoff, afterAt = after.QueuedAt, afterId = after.Id, batch = settings.BatchSize,
                }, tx, cancellationToken: ct))).AsList();
                after = batch.Count > 0 ? batch[^1] : after;

                return (batch.Count, await Redaction.CallsAsync(conn, tx, batch.Select(b => b.Id).ToArray(), callsCutoff, now, ct));
            }, ct);

            var callbacksCutoff = now.AddDays(-settings.CallbacksDays);
            await BatchesAsync("callbacks", async (conn, tx) =>
            {
                var ids = await IdsAsync<Guid>(conn, tx, SelectCallbacks, new { cutoff = callbacksCutoff, batch = settings.BatchSize }, ct);
                return (ids.Length, await Redaction.CallbacksAsync(conn, tx, ids, callbacksCutoff, now, ct));
            }, ct);

            var messagesCutoff = now.AddDays(-settings.MessagesDays);
            await BatchesAsync("messages", async (conn, tx) =>
            {
                var ids = await IdsAsync<Guid>(conn, tx, SelectMessages, new { cutoff = messagesCutoff, maxAttempts, batch = settings.BatchSize }, ct);
                return (ids.Length, await Redaction.MessagesAsync(conn, tx, ids, messagesCutoff, maxAttempts, now, ct));
            }, ct);

            var faultReportsCutoff = now.AddDays(-settings.FaultReportsDays);
            await BatchesAsync("fault_reports", async (conn, tx) =>
            {
                var ids = await IdsAsync<Guid>(conn, tx, SelectFaultReports, new { cutoff = faultReportsCutoff, batch = settings.BatchSize }, ct);
                return (ids.Length, await Redaction.FaultReportsAsync(conn, tx, ids, faultReportsCutoff, now, ct));
            }, ct);

            var guidanceCutoff = now.AddDays(-settings.GuidanceDays);
            await BatchesAsync("guidance_sends", async (conn, tx) =>
            {
                var ids = await IdsAsync<Guid>(conn, tx, SelectGuidance, new { cutoff = guidanceCutoff, batch = settings.BatchSize }, ct);
                return (ids.Length, await Redaction.GuidanceAsync(conn, tx, ids, guidanceCutoff, now, ct));
            }, ct);

            var referralsCutoff = now.AddDays(-settings.ReferralReasonsDays);
            var afterEntry = 0L;
            await BatchesAsync("referral_reasons", async (conn, tx) =>
            {
                var ids = await IdsAsync<long>(conn, tx, SelectReferralReasons, new { cutoff = referralsCutoff, afterId = afterEntry, batch = settings.BatchSize }, ct);
                afterEntry = ids.Length > 0 ? ids[^1] : afterEntry;
                return (ids.Length, await Redaction.ReferralReasonsAsync(conn, tx, ids, referralsCutoff, now, ct));
            }, ct);

            // The access log is deleted whole past its time: its entries are a record of who did what, counted by nothing,
            // and an entry without its actor, action and subject would say nothing (docs/personal-data.md, "The access log").
            var accessLogCutoff = now.AddDays(-settings.AccessLogDays);
            await BatchesAsync("access_log_entries", async (conn, tx) =>
            {
                var deleted = await conn.ExecuteAsync(new CommandDefinition(DeleteAccessLog, new
                {
                    cutoff = accessLogCutoff, batch = settings.BatchSize,
                }, tx, cancellationToken: ct));
                return (deleted, deleted);
            }, ct);
        }

        /// <summary>
        /// Batches until one finds fewer rows than a full batch (or removes nothing); each batch adds its
        /// count to the run's row in the same transaction, then pauses so calls' statements go first.
        /// </summary>
        private async Task BatchesAsync(string column, Func<NpgsqlConnection, NpgsqlTransaction, Task<(int Found, int Removed)>> batch, CancellationToken ct)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                int found, removed;
                await using (var conn = await dataSource.OpenConnectionAsync(ct))
                await using (var tx = await conn.BeginTransactionAsync(ct))
                {
                    (found, removed) = await batch(conn, tx);
                    if (removed > 0)
                    {
                        // The column name comes from the fixed list above, never from input.
                        await conn.ExecuteAsync(new CommandDefinition(
                            $"update retention_runs set {column} = {column} + @removed, batches = batches + 1 where id = @runId",
                            new { removed, runId }, tx, cancellationToken: ct));
                    }

                    await tx.CommitAsync(ct);
                }

                if (found < settings.BatchSize || removed == 0)
                {
                    return;
                }

                if (settings.BatchPause > TimeSpan.Zero)
                {
                    // Transport timing, not domain time: the wall clock.
                    await Task.Delay(settings.BatchPause, ct);
                }
            }
        }

        private static async Task<T[]> IdsAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, object args, CancellationToken ct) =>
            (await conn.QueryAsync<T>(new CommandDefinition(sql, args, tx, cancellationToken: ct))).ToArray();
    }

    private sealed record CallKey(Guid Id, DateTimeOffset QueuedAt);

    // calls_queued_today (queued_at) finds the old calls; the keyset means each batch starts where the last stopped.
    private const string SelectCalls = $"""
        select c.id, c.queued_at from calls c
        where c.queued_at <= @cutoff and (c.queued_at, c.id) > (@afterAt, @afterId)
          and c.personal_data_removed_at is null and {Redaction.CallOver}
        order by c.queued_at, c.id
        limit @batch
        for update skip locked
        """;

    private const string SelectCallbacks = $"""
        select b.id from callbacks b
        where b.personal_data_removed_at is null and b.window_end <= @cutoff and {Redaction.CallbackOver}
        limit @batch
        for update skip locked
        """;

    private const string SelectMessages = $"""
        select m.id from messages m
        where m.personal_data_removed_at is null and {Redaction.MessageOver}
        limit @batch
        for update skip locked
        """;

    private const string SelectGuidance = $"""
        select g.id from guidance_sends g
        where g.personal_data_removed_at is null and {Redaction.GuidanceOver}
        limit @batch
        for update skip locked
        """;

    private const string SelectFaultReports = $"""
        select r.id from fault_reports r
        where r.personal_data_removed_at is null and {Redaction.FaultReportOver}
        limit @batch
        for update skip locked
        """;

    private const string SelectReferralReasons = $$"""
        select a.id from audit_log a
        where a.id > @afterId and a.personal_data_removed_at is null and {{Redaction.ReferralOver}}
          and (a.before #>> '{referral,reason}' is not null or a.after #>> '{referral,reason}' is not null)
        order by a.id
        limit @batch
        for update skip locked
        """;

    // access_log_time (occurred_at) finds the old entries, oldest first.
    private const string DeleteAccessLog = """
        delete from access_log
        where id in (
            select id from access_log where occurred_at <= @cutoff
            order by occurred_at
            limit @batch
            for update skip locked)
        """;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention run {RunId} ({Trigger}) removed personal data from {Calls} calls, {Callbacks} callbacks, {Messages} messages, {FaultReports} fault reports, {ReferralReasons} referral reasons and {GuidanceSends} links sent, and deleted {AccessLogEntries} access log entries, in {Batches} batches, {ElapsedMs} ms")]
    private static partial void LogRunDone(ILogger logger, long runId, string trigger, int calls, int callbacks, int messages,
        int faultReports, int referralReasons, int guidanceSends, int accessLogEntries, int batches, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "The scheduled retention run failed; it is tried again later")]
    private static partial void LogRunFailed(ILogger logger, Exception ex);
}
