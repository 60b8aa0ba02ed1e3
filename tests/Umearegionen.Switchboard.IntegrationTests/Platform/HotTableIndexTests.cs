namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>
/// Every index on a table each call writes is an entry written at every insert and at every update that
/// cannot be HOT, so the list is kept on purpose (docs/decisions/0010-fewer-indexes-on-the-hot-tables.md).
/// A change here is a cost on every call: measure it (WAL records per call life) and update the list.
/// </summary>
public sealed class HotTableIndexTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["calls"] =
        [
            "calls_pkey", "calls_platform_call_id_key",
            // No index names state, offered_to or operator_id, so an accept is HOT (0311_accept_made_hot.sql):
            // the waiting calls are in call_queue, an operator's offer and call on their row.
            // Calls by time (today's figures, the call history); written once, at intake.
            "calls_queued_today",
            // Lookups by a caller's number (history, extracts, erasure, recent contacts, bounce-backs); full, written
            // once at intake, so the call's end is HOT (0350_calls_end_made_hot.sql).
            "calls_by_caller",
        ],
        ["call_events"] = ["call_events_pkey", "call_events_platform_event"], // the pkey is (call_id, id): 0320
        ["telephony_instructions"] = ["telephony_instructions_pkey"], // polls read from a low-water mark: 0321
        ["operators"] = ["operators_pkey"],
        // Waiting calls only, inserted when queued and deleted when offered, picked or abandoned.
        ["call_queue"] = ["call_queue_pkey", "call_queue_order"],
    };

    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateMigratedDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task TablesEveryCallWritesCarryOnlyTheIndexesTheirReadsNeed()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        var found = (await conn.QueryAsync<(string Table, string Index)>(
                """
                select tablename, indexname from pg_indexes
                where schemaname = current_schema() and tablename = any(@tables)
                order by tablename, indexname
                """, new { tables = Expected.Keys.ToArray() }))
            .GroupBy(r => r.Table)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Index).ToArray());

        var wrong = Expected
            .Where(e => !e.Value.Order().SequenceEqual(found.GetValueOrDefault(e.Key, []).Order()))
            .Select(e => $"{e.Key} has [{string.Join(", ", found.GetValueOrDefault(e.Key, []))}], expected [{string.Join(", ", e.Value)}]")
            .ToList();
        Assert.True(wrong.Count == 0,
            string.Join("; ", wrong) + ". Each index costs every call an entry (docs/decisions/0010); measure it, then update this list.");
    }

    [Fact]
    public async Task AcceptingAnOfferIsAHotUpdateOfTheCall()
    {
        // The accept changes state, operator_id and the offer's columns; no index of calls names them
        // (0311_accept_made_hot.sql), so the call's new version stays on its page with no index entry.
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        var me = Guid.NewGuid();
        var callId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await conn.ExecuteAsync("""
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            values (@me, 'hot-op', 'Hot Operator', 'x', 'operator', '2480', @now);
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at,
                               offered_to, offered_at, offer_expires_at)
            values (@callId, 'hot-1', '+46701234567', '+4690161000', '2480', 'offered', @now, @me, @now, @now + interval '30 s');
            insert into operators (account_id, team, status, idle_since, status_changed_at, last_seen_at, offered_call_id, assignments)
            values (@me, 'main', 'available', @now, @now, @now, @callId, 1);
            """, new { me, callId, now });

        await using var tx = await conn.BeginTransactionAsync();
        var taken = (await conn.QueryAsync(Umearegionen.Switchboard.Routing.CallHandling.AcceptSql,
            new { me, callId, now = now.AddSeconds(1) }, tx)).Select(r => (Guid)r.id).ToList();
        var (updated, hot) = await conn.QuerySingleAsync<(long, long)>(
            "select pg_stat_get_xact_tuples_updated('calls'::regclass), pg_stat_get_xact_tuples_hot_updated('calls'::regclass)",
            transaction: tx);

        Assert.Equal([callId], taken);
        Assert.Equal((1L, 1L), (updated, hot));
        Assert.Equal(callId, await conn.ExecuteScalarAsync<Guid?>(
            "select call_id from operators where account_id = @me and offered_call_id is null", new { me }, tx));
    }

    [Theory]
    [InlineData("transferred")]
    [InlineData("answered")]
    [InlineData("abandoned while waiting")]
    [InlineData("abandoned while ringing")]
    public async Task EndingTheCallIsAHotUpdateOfTheCall(string end)
    {
        // The end sets state, outcome, completed_at, wrap_up_category, consultation and the offer's columns;
        // no index of calls names them (0350_calls_end_made_hot.sql), so the call's last version stays on
        // its page with no index entry.
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        var me = Guid.NewGuid();
        var callId = Guid.NewGuid();
        var platformCallId = "hot-end-" + callId;
        var now = DateTimeOffset.UtcNow;
        var state = end switch { "abandoned while waiting" => "queued", "abandoned while ringing" => "offered", _ => "connected" };
        await conn.ExecuteAsync("""
            insert into accounts (id, username, display_name, password_hash, role, municipality_code, created_at)
            values (@me, 'hot-end-' || @me, 'Hot Operator', 'x', 'operator', '2480', @now);
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at,
                               offered_to, offered_at, offer_expires_at, operator_id, answered_at)
            select @callId, @platformCallId, '+46701234567', '+4690161000', '2480', @state, @now,
                   case when @state = 'offered' then @me end, case when @state = 'offered' then @now end,
                   case when @state = 'offered' then @now + interval '30 s' end,
                   case when @state = 'connected' then @me end, case when @state = 'connected' then @now end;
            insert into call_queue (call_id, priority, queued_at) select @callId, 0, @now where @state = 'queued';
            insert into operators (account_id, team, status, idle_since, status_changed_at, last_seen_at, offered_call_id, call_id, assignments)
            values (@me, 'main', 'available', @now, @now, @now, case when @state = 'offered' then @callId end,
                    case when @state = 'connected' then @callId end, 1);
            """, new { me, callId, platformCallId, state, now });

        await using var tx = await conn.BeginTransactionAsync();
        var later = now.AddSeconds(30);
        var details = """{"kind":"unit","id":"u1","name":"Unit"}""";
        // The statements routing runs: an operator's transfer or answer (CallHandling.Endings.cs), the
        // platform's "ended" while the call waits or rings (CallIntake.RecordEventAsync).
        var (sql, args) = end switch
        {
            "transferred" => (Umearegionen.Switchboard.Routing.CallHandling.TransferSql, (object)new
            {
                me, callId, outcome = "transferred", category = "test", now = later, afterCallUntil = (DateTimeOffset?)null,
                mode = "blind", destination = details, details, note = (string?)null,
            }),
            "answered" => (Umearegionen.Switchboard.Routing.CallHandling.AnswerSql, (object)new
            {
                me, callId, outcome = "answered", category = "test", now = later, afterCallUntil = (DateTimeOffset?)null,
                details = """{"note":null}""", answerId = (Guid?)null, question = (string?)null,
            }),
            _ => (Umearegionen.Switchboard.Routing.CallIntake.RecordEventSql, (object)new
            {
                platformCallId, type = "platform_ended", eventId = "ended-1", at = later, now = later, ended = true, seq = (long?)null,
            }),
        };
        await conn.ExecuteAsync(sql, args, tx);
        var (updated, hot) = await conn.QuerySingleAsync<(long, long)>(
            "select pg_stat_get_xact_tuples_updated('calls'::regclass), pg_stat_get_xact_tuples_hot_updated('calls'::regclass)",
            transaction: tx);

        Assert.Equal(end.StartsWith("abandoned", StringComparison.Ordinal) ? "abandoned" : "completed",
            await conn.ExecuteScalarAsync<string>("select state from calls where id = @callId", new { callId }, tx));
        Assert.Equal((1L, 1L), (updated, hot));
    }

    // This transaction's updates of telephony_instructions (all, HOT) and inserts into call_events.
    private static Task<(long Updated, long Hot, long Inserted)> InstructionUpdatesAndEventInsertsAsync(NpgsqlConnection conn, NpgsqlTransaction tx) =>
        conn.QuerySingleAsync<(long, long, long)>("""
            select pg_stat_get_xact_tuples_updated('telephony_instructions'::regclass),
                   pg_stat_get_xact_tuples_hot_updated('telephony_instructions'::regclass),
                   pg_stat_get_xact_tuples_inserted('call_events'::regclass)
            """, transaction: tx);

    [Fact]
    public async Task AConfirmationStoredOnItsInstructionIsOneHotUpdateWithItsAcknowledgement()
    {
        // The platform's "answered", reported with the connect's seq in the report that acknowledges it, sets the
        // instruction's reported_* columns and acknowledged_at in one update; no index names them
        // (0321, 0365), so it is HOT, and no call_events row is written (docs/decisions/0026).
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        var callId = Guid.NewGuid();
        var platformCallId = "hot-confirm-" + callId;
        var now = DateTimeOffset.UtcNow;
        var seq = await conn.ExecuteScalarAsync<long>("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at, operator_id, answered_at)
            values (@callId, @platformCallId, '+46701234567', '+4690161000', '2480', 'connected', @now, @callId, @now);
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            values (@callId, @platformCallId, 'connect', '{}', @now) returning seq;
            """, new { callId, platformCallId, now });

        await using var tx = await conn.BeginTransactionAsync();
        var stored = await conn.QuerySingleOrDefaultAsync(Umearegionen.Switchboard.Routing.CallIntake.RecordOnInstructionSql, new
        {
            platformCallId, type = "platform_answered", eventId = "answered-1", at = now, now, seq, acknowledge = true,
            endedEventId = (string?)null, endedAt = (DateTimeOffset?)null,
        }, tx);
        var (updated, hot, inserted) = await InstructionUpdatesAndEventInsertsAsync(conn, tx);

        Assert.NotNull(stored);
        Assert.Equal((1L, 1L, 0L), (updated, hot, inserted));
        Assert.True(await conn.ExecuteScalarAsync<bool>(
            "select reported_event_id = 'answered-1' and acknowledged_at is not null from telephony_instructions where seq = @seq", new { seq }, tx));
    }

    [Fact]
    public async Task ATransfersTransferredAndEndedInOneReportAreOneHotUpdateWithItsAcknowledgement()
    {
        // The platform's "transferred" and the "ended" after it, reported together with the transfer's seq in the
        // report that acknowledges it, set reported_*, ended_* and acknowledged_at in one update (docs/decisions/0032).
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        var callId = Guid.NewGuid();
        var platformCallId = "hot-transfer-" + callId;
        var now = DateTimeOffset.UtcNow;
        var seq = await conn.ExecuteScalarAsync<long>("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, queued_at, operator_id,
                               answered_at, completed_at, outcome)
            values (@callId, @platformCallId, '+46701234567', '+4690161000', '2480', 'completed', @now, @callId, @now, @now, 'transferred');
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at)
            values (@callId, @platformCallId, 'transfer', '{}', @now) returning seq;
            """, new { callId, platformCallId, now });

        await using var tx = await conn.BeginTransactionAsync();
        var stored = await conn.QuerySingleOrDefaultAsync<(Guid, string, bool, bool)>(Umearegionen.Switchboard.Routing.CallIntake.RecordOnInstructionSql, new
        {
            platformCallId, type = "platform_transferred", eventId = "transferred-1", at = now, now, seq, acknowledge = true,
            endedEventId = "ended-1", endedAt = now.AddSeconds(1),
        }, tx);
        var (updated, hot, inserted) = await InstructionUpdatesAndEventInsertsAsync(conn, tx);

        Assert.Equal((callId, "completed", true, true), stored);
        Assert.Equal((1L, 1L, 0L), (updated, hot, inserted));
        Assert.True(await conn.ExecuteScalarAsync<bool>("""
            select reported_event_id = 'transferred-1' and ended_event_id = 'ended-1' and ended_id > reported_id
                   and acknowledged_at is not null
            from telephony_instructions where seq = @seq
            """, new { seq }, tx));
    }
}
