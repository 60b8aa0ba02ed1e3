using Umearegionen.Switchboard.IntegrationTests.Directory;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>
/// The service with a fake clock and the daily run off: each test runs the job when it wants. Retention
/// times are days, not months, and the periodic loops slow: the fake clock fires every period of every
/// timer it passes, and a second-by-second sweep over 90 days takes minutes.
/// </summary>
public class PersonalDataApp : RoutingApp
{
    public const int CallerNumbersDays = 3, CallbacksDays = 3, MessagesDays = 3, FaultReportsDays = 10, ReferralReasonsDays = 2;

    public PersonalDataApp() { }

    protected PersonalDataApp(string existingDatabase) : base(existingDatabase) { }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Routing:SweepInterval"] = "00:01:00",
        ["Statistics:FlushInterval"] = "00:10:00",
        ["PersonalData:Retention:Enabled"] = "false",
        ["PersonalData:Retention:BatchPause"] = "00:00:00",
        ["PersonalData:Retention:CallerNumbersDays"] = $"{CallerNumbersDays}",
        ["PersonalData:Retention:CallbacksDays"] = $"{CallbacksDays}",
        ["PersonalData:Retention:MessagesDays"] = $"{MessagesDays}",
        ["PersonalData:Retention:FaultReportsDays"] = $"{FaultReportsDays}",
        ["PersonalData:Retention:ReferralReasonsDays"] = $"{ReferralReasonsDays}",
    };
}

/// <summary>Calls from a citizen, ended the ways operators end them, through the real hub.</summary>
public sealed class PersonalDataWorld(SwitchboardApp app, RoutingDriver world)
{
    /// <summary>A Swedish mobile number no other test uses, normalised as the service stores it.</summary>
    public static string NewCaller() => "+4670" + Random.Shared.Next(1_000_000, 9_999_999);

    public async Task<CallView> ConnectedCallAsync(OperatorClient op, string caller)
    {
        var platform = await world.PlatformAsync();
        var call = await platform.PlaceCallAsync(new NewCallReport("pd-" + Guid.NewGuid().ToString("N"), caller, RoutingDriver.Bjurholm));
        await op.NextOfferAsync();
        return await op.AcceptAsync(call.CallId);
    }

    /// <summary>A call that waits in the queue (no one is available) until the test ends it.</summary>
    public async Task<CallReceipt> WaitingCallAsync(string caller)
    {
        var platform = await world.PlatformAsync();
        return await platform.PlaceCallAsync(new NewCallReport("pd-" + Guid.NewGuid().ToString("N"), caller, RoutingDriver.Bjurholm));
    }

    public async Task<Guid> AnsweredAsync(OperatorClient op, string caller, string? note = null)
    {
        var call = await ConnectedCallAsync(op, caller);
        await op.Connection.InvokeAsync<CallView>("AnswerCall", new AnswerRequest(call.Id, "information", note));
        await op.SetStatusAsync(OperatorStatuses.Available);
        return call.Id;
    }

    public async Task<Guid> CallbackAsync(OperatorClient op, string caller, string? name, string? note, DateTimeOffset windowStart)
    {
        var call = await ConnectedCallAsync(op, caller);
        var editor = await app.ClientForAsync(Roles.Editor, "2480");
        var unit = await DirectoryApi.CreateUnitAsync(editor, "2480", DirectoryApi.Unique("Bygglov Umeå"));
        await op.Connection.InvokeAsync<CallView>("BookCallback", new CallbackRequest(
            call.Id, unit.Id.ToString(), unit.Name, windowStart, windowStart.AddHours(1), "callback", name, null, note));
        await op.SetStatusAsync(OperatorStatuses.Available);
        return call.Id;
    }

    public async Task<Guid> MessageAsync(OperatorClient op, string caller, string? name, string text, bool sent)
    {
        var call = await ConnectedCallAsync(op, caller);
        await op.Connection.InvokeAsync<CallView>("TakeMessage", new MessageRequest(
            call.Id, "person", null, "Eva Ek", "eva.ek@example.org", text, "message", name));
        await op.SetStatusAsync(OperatorStatuses.Available);
        if (sent)
        {
            // No SMTP server in tests: sent as the sender records it.
            await ExecuteAsync("update messages set sent_at = @now, attempts = 1 where call_id = @id",
                new { now = app.Clock!.GetUtcNow(), id = call.Id });
        }

        return call.Id;
    }

    public async Task<Guid> FaultReportAsync(OperatorClient op, string caller, string contactNumber, string? contactName, string what = "Street light out")
    {
        var call = await ConnectedCallAsync(op, caller);
        await op.Connection.InvokeAsync<CallView>("RegisterFaultReport", new FaultReportRequest(
            call.Id, "2460", what, "Storgatan 3, Vännäs", contactNumber, "fault-report", contactName));
        await op.SetStatusAsync(OperatorStatuses.Available);
        return call.Id;
    }

    public async Task<HttpResponseMessage> EraseAsync(object body)
    {
        var admin = await app.ClientForAsync(Roles.Administrator);
        return await admin.PostAsJsonAsync("/api/personal-data/erasures", body);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        return (await conn.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(app.DatabaseConnectionString);
        await conn.ExecuteAsync(sql, args);
    }
}

public sealed record ErasureAnswer(ErasedCounts Erased, IReadOnlyList<KeptRecord> Kept);
