using Umearegionen.Switchboard.PersonalData;
using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// Demo installations only: eight weeks of past calls at today's volume (about 1 400 calls a
/// weekday, 08–17, municipalities by population), so the statistics have something to show on the
/// first start. The calls are marked <c>demo-history-</c> and have no operator. The command
/// <c>demo history --days N</c> loads a longer history the same way (load tests: a database with a
/// year behind it, not an empty one).
/// </summary>
public sealed class StatisticsDemoData(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RetentionOptions> retention) : IDemoData
{
    public int Order => 900;

    public async Task<bool> IsLoadedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from calls where platform_call_id like 'demo-history-%')", cancellationToken: ct));
    }

    public const string Marker = "demo-history-";

    public Task LoadAsync(CancellationToken ct) => LoadHistoryAsync(56, ct);

    /// <summary>The weekdays of the given number of days before today, about 1 400 calls each.</summary>
    public async Task LoadHistoryAsync(int days, CancellationToken ct)
    {
        const string Sql = $$"""
            with days as (
                select d::date as day from generate_series((@today - @days)::timestamp, (@today - 1)::timestamp, interval '1 day') d
                where extract(isodow from d) < 6
            ), raw as (
                select row_number() over () as n, day, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5
                from days, generate_series(1, 1400)
            ), x as (
                select n, r1, r2, r3, r4, r5,
                       (day + time '08:00' + make_interval(secs => (r1 * 32400)::int)) at time zone 'Europe/Stockholm' as q,
                       case when r2 < 0.07 then 'abandoned'
                            else (array['answered','transferred','transferred','transferred','answered','callback','message','fault_report'])[1 + (n % 8)::int] end as outcome
                from raw
            ), c as (
                insert into calls (id, platform_call_id, caller_number, dialled_number, municipality_code, menu_topic, state,
                                   queued_at, answered_at, completed_at, caller_left_at, outcome, wrap_up_category)
                select gen_random_uuid(), 'demo-history-' || n, '+4670' || (1000000 + (r3 * 8999999)::int), d.number, d.municipality_code,
                       (array['bygglov','skola','socialtjanst','vatten','renhallning','gator','fritid',null])[1 + (n % 8)::int],
                       case when outcome = 'abandoned' then 'abandoned' else 'completed' end, q,
                       case when outcome <> 'abandoned' then q + make_interval(secs => (r4 * r4 * 80)::int) end,
                       q + make_interval(secs => (r4 * r4 * 80)::int + case when outcome = 'abandoned' then 0 else 40 + (r5 * 300)::int end),
                       case when outcome = 'abandoned' then q + make_interval(secs => (r4 * r4 * 80)::int) end,
                       outcome, case when outcome <> 'abandoned' then 'demo' end
                from x join dialled_numbers d on d.number =
                    case when r5 < 0.81 then '+4690161000' when r5 < 0.865 then '+4693514000' when r5 < 0.909 then '+4693014000'
                         when r5 < 0.95 then '+4693414000' when r5 < 0.983 then '+4693314000' else '+4693214000' end
                returning id, outcome, completed_at
            )
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'completed', completed_at, 'demo',
                   jsonb_build_object('outcome', outcome, 'details', case when outcome = 'transferred' then
                       jsonb_build_object('kind', 'unit', 'id', 'demo-unit-' || (abs(hashtext(id::text)) % 12),
                                          'name', (array['Bygglov','Skolan','Socialtjänsten','Vatten och avlopp','Renhållning','Gata och park',
                                                         'Fritid','Äldreomsorg','Kultur','Miljö och hälsa','Överförmyndare','Ekonomi'])[1 + abs(hashtext(id::text)) % 12])
                   end)
            from c;

            -- About one handled call in thirty first tried a unit that was closed (calls to closed destinations).
            insert into call_events (call_id, type, occurred_at, actor_id, data)
            select id, 'destination_closed', answered_at + interval '20 seconds', 'demo',
                   jsonb_build_object('unitId', 'demo-unit-' || (abs(hashtext(id::text || 'closed')) % 12), 'attempt', 'transfer',
                                      'mode', 'blind', 'fallback', jsonb_build_object('kind', 'callback'))
            from calls
            where platform_call_id like 'demo-history-%' and answered_at is not null and random() < 0.033;

            select statistics_backfill_facts();
            -- Tens of thousands of facts at once: count the rollups from scratch, set-based, rather
            -- than adding the facts one by one through statistics_flush.
            select statistics_rebuild_rollup();

            -- As the nightly retention job would have left them (docs/personal-data.md): a call past
            -- PersonalData:Retention:CallerNumbersDays has no caller's number. The statistics above were made
            -- from the numbers first, as they were when those calls ended; a service started on this history
            -- does not find a year's backlog of removals (docs/load-tests.md, "History past retention").
            update calls c set caller_number = null, personal_data_removed_at = @now
            where c.platform_call_id like 'demo-history-%' and {{Redaction.CallOver}};
            """;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).DateTime);
        var now = clock.GetUtcNow();
        var cutoff = now.AddDays(-retention.Value.CallerNumbersDays);
        await conn.ExecuteAsync(new CommandDefinition(Sql, new { today, days, now, cutoff }, commandTimeout: 0, cancellationToken: ct));
    }
}
