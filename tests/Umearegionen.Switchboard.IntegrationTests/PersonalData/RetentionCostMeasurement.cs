using Umearegionen.Switchboard.IntegrationTests.Browser;
using Xunit.Abstractions;

namespace Umearegionen.Switchboard.IntegrationTests.PersonalData;

/// <summary>
/// What a retention run costs over 100,000 old calls with the default settings (batches of 500, 100 ms
/// apart), for docs/personal-data.md. Runs only with SWITCHBOARD_MEASURE=1.
/// </summary>
public sealed class RetentionCostMeasurement(RetentionCostMeasurement.App app, ITestOutputHelper output) : IClassFixture<RetentionCostMeasurement.App>
{
    private const int Calls = 100_000;

    public sealed class App : SwitchboardApp
    {
        protected override bool UseFakeTime => true;
    }

    [MeasurementFact]
    public async Task RunOverAHundredThousandOldCalls()
    {
        var world = new PersonalDataWorld(app, null!);
        var setup = Stopwatch.StartNew();
        // Calls 100 to 200 days old, each with its two events (half of them an answered call's note) and an instruction.
        await world.ExecuteAsync("""
            with c as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, state, outcome,
                                   queued_at, answered_at, completed_at)
                select gen_random_uuid(), 'measure-' || g, '+4670' || (1000000 + g), '+4693214000', '2403', 'completed', 'answered',
                       now() - interval '100 days' - g * interval '86 seconds', now() - interval '100 days' - g * interval '86 seconds' + interval '20 seconds',
                       now() - interval '100 days' - g * interval '86 seconds' + interval '3 minutes'
                from generate_series(1, @calls) g
                returning id, platform_call_id, queued_at, completed_at
            ), e as (
                insert into call_events (call_id, type, platform_event_id, occurred_at, actor_id, data)
                select id, 'received', 'received', queued_at, 'telephony', jsonb_build_object('dialledNumber', '+4693214000', 'priority', 0) from c
                union all
                select id, 'completed', null, completed_at, 'op', jsonb_build_object('outcome', 'answered', 'wrapUpCategory', 'information',
                       'details', jsonb_build_object('note', case when random() < 0.5 then 'Ringer om sophämtning' end)) from c
            )
            insert into telephony_instructions (call_id, platform_call_id, kind, payload, created_at, acknowledged_at)
            select id, platform_call_id, 'end', jsonb_build_object('operatorId', gen_random_uuid()), completed_at, completed_at from c
            """, new { calls = Calls });
        foreach (var table in new[] { "calls", "call_events", "telephony_instructions" })
        {
            await world.ExecuteAsync($"vacuum analyze {table}");
        }

        output.WriteLine($"setup: {setup.Elapsed.TotalSeconds:0.0} s");

        var first = Stopwatch.StartNew();
        var run = (await app.Service<Retention>().RunAsync(RetentionTriggers.Manual, "measurement", CancellationToken.None))!;
        first.Stop();
        var pauses = TimeSpan.FromMilliseconds(100) * Math.Max(0, run.Batches - 1);
        output.WriteLine($"first run: {run.Calls} calls in {run.Batches} batches, {first.Elapsed.TotalSeconds:0.0} s " +
                         $"({(first.Elapsed - pauses).TotalSeconds:0.0} s without the pauses, {(first.Elapsed - pauses).TotalMilliseconds / run.Batches:0} ms a batch)");

        var second = Stopwatch.StartNew();
        var idle = (await app.Service<Retention>().RunAsync(RetentionTriggers.Manual, "measurement", CancellationToken.None))!;
        output.WriteLine($"next run, nothing left: {idle.Calls} calls, {second.Elapsed.TotalMilliseconds:0} ms");

        Assert.Equal(Calls, run.Calls);
        Assert.Equal(0, await world.ScalarAsync<long>("select count(*) from calls where caller_number is not null"));
    }
}
