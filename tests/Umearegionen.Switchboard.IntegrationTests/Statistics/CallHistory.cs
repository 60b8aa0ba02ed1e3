namespace Umearegionen.Switchboard.IntegrationTests.Statistics;

/// <summary>A call with known times, written the way routing writes calls, so statistics' triggers see the same statements.</summary>
public sealed record PastCall(
    string Municipality, DateTimeOffset QueuedAt, TimeSpan Wait, TimeSpan? Handle, string Outcome, Guid? Operator = null,
    string? Caller = null, string? Topic = null, string? UnitId = null, string? UnitName = null, string[]? ClosedUnits = null,
    string Category = "test");

/// <summary>Writes hand-made call histories into the app's database.</summary>
public sealed class CallHistory(SwitchboardApp app)
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly Dictionary<string, string> MainNumbers = new()
    {
        ["2403"] = "+4693214000", ["2401"] = "+4693014000", ["2409"] = "+4693414000",
        ["2480"] = "+4690161000", ["2404"] = "+4693314000", ["2460"] = "+4693514000",
    };

    /// <summary>A Stockholm wall-clock time as an instant (the first one, when the clock goes back).</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute, int second = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Stockholm.GetUtcOffset(local)).ToUniversalTime();
    }

    public async Task<Guid> OperatorAsync() => (await app.CreateAccountAsync("operator")).Account.Id;

    public async Task<Guid> AddAsync(PastCall call)
    {
        var id = Guid.NewGuid();
        call = call with { Caller = call.Caller ?? "+4670" + Random.Shared.Next(1_000_000, 9_999_999) };
        var answeredAt = call.QueuedAt + call.Wait;
        var endedAt = call.Handle is { } handle ? answeredAt + handle : answeredAt;
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic, state, queued_at)
            values (@id, @platformCallId, @caller, @dialled, @municipality, @topic, 'queued', @queuedAt)
            """, new
        {
            id, platformCallId = "fixture-" + id, call.Caller, dialled = MainNumbers[call.Municipality], call.Municipality,
            call.Topic, call.QueuedAt,
        });
        if (call.Handle is null)
        {
            await conn.ExecuteAsync("""
                update calls set state = 'abandoned', outcome = 'abandoned', completed_at = @endedAt, caller_left_at = @endedAt
                where id = @id
                """, new { id, endedAt });
            return id;
        }

        var operatorId = call.Operator ?? await OperatorAsync();
        await conn.ExecuteAsync(
            "update calls set state = 'connected', operator_id = @operatorId, answered_at = @answeredAt where id = @id",
            new { id, operatorId, answeredAt });
        // Transfers or consultations refused because the unit was closed, as routing records them while connected.
        foreach (var closed in call.ClosedUnits ?? [])
        {
            await conn.ExecuteAsync("""
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                values (@id, 'destination_closed', @at, @operatorId::text,
                        jsonb_build_object('unitId', @closed::text, 'unitName', 'Enhet ' || @closed::text, 'attempt', 'transfer',
                                           'mode', 'blind', 'fallback', jsonb_build_object('kind', 'callback')))
                """, new { id, at = answeredAt.AddSeconds(1), operatorId, closed });
        }

        var destination = $$"""{"kind":"unit","id":"{{call.UnitId}}","name":"{{call.UnitName}}"}""";
        // As routing does it: the completion, its event and the outcome's row in one statement.
        await conn.ExecuteAsync("""
            with c as (
                update calls set state = 'completed', outcome = @outcome, wrap_up_category = @category, completed_at = @endedAt
                where id = @id returning id
            ), e as (
                insert into call_events (call_id, type, occurred_at, actor_id, data)
                select id, 'completed', @endedAt, @operatorId::text,
                       jsonb_build_object('outcome', @outcome::text, 'details', case when @outcome = 'transferred' then @destination::jsonb end)
                from c
            ), b as (
                insert into callbacks (id, call_id, unit_id, unit_name, caller_number, window_start, window_end, booked_by, booked_at)
                select gen_random_uuid(), id, @unitId, @unitName, @caller, @endedAt + interval '1 hour', @endedAt + interval '2 hours',
                       @operatorId, @endedAt
                from c where @outcome = 'callback'
            ), m as (
                insert into messages (id, call_id, recipient_kind, recipient_id, recipient_name, recipient_email, caller_number,
                                      text, taken_by, taken_at, next_attempt_at)
                select gen_random_uuid(), id, 'unit', @unitId, @unitName, 'unit@example.org', @caller, 'call back', @operatorId,
                       @endedAt, @endedAt
                from c where @outcome = 'message'
            ), r as (
                insert into fault_reports (id, call_id, municipality_code, what, location, contact_number, registered_by, registered_at)
                select gen_random_uuid(), id, @municipality, 'street light', 'Storgatan 1', @caller, @operatorId, @endedAt
                from c where @outcome = 'fault_report'
            )
            select count(*) from c
            """, new
        {
            id, call.Outcome, endedAt, operatorId, destination, unitId = call.UnitId ?? "", unitName = call.UnitName ?? "",
            call.Caller, call.Municipality, category = call.Category,
        });
        return id;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("No value.");
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.ExecuteAsync(sql, args);
    }
}

/// <summary>The app with the statistics settings the fixtures were computed for.</summary>
public class StatisticsApp : SwitchboardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ServiceLevel:Target"] = "00:00:20",
        ["ServiceLevel:ShortAbandon"] = "00:00:05",
        ["Statistics:BounceBackWindow"] = "00:10:00",
        ["Statistics:MaxRangeDays"] = "731",
        ["Statistics:CostKey:FixedPerMunicipality"] = "10000",
    };
}
