using Umearegionen.Switchboard.Platform.Demo;

namespace Umearegionen.Switchboard.Directory.Demo;

/// <summary>The demo installation's directory: the six served municipalities, Umeå the biggest.</summary>
public sealed class DirectoryDemoData(NpgsqlDataSource dataSource, TimeProvider time) : IDemoData
{
    public const int Seed = 2018;
    private static readonly Actor DemoActor = new("demo", "Demodata");

    public int Order => 10;

    public async Task<bool> IsLoadedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from directory_units)", cancellationToken: ct));
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var m in DemoCatalogue.Municipalities)
        {
            var (units, people) = m.Code == "2480" ? (160, 900) : (45, 120);
            await LoadAsync(dataSource, m, units, people, now, DemoActor, ct);
        }
    }

    /// <summary>Generates and writes one municipality's directory; a few entries are left overdue for review.</summary>
    public static async Task<ImportResult> LoadAsync(
        NpgsqlDataSource dataSource, DemoMunicipality m, int units, int people, DateTimeOffset now, Actor actor, CancellationToken ct)
    {
        var rows = DemoDirectory.Generate(m, units, people, Seed, now);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var errors = new List<ImportRowError>();
        var plan = await DirectoryImport.PlanAsync(conn, tx, m.Code, rows, errors, ct);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The generated directory of {m.Name} does not pass the import checks: " +
                string.Join("; ", errors.Take(5).Select(e => $"row {e.Row} {e.Field}: {e.Message}")));
        }

        var result = await DirectoryImport.WriteAsync(conn, tx, m.Code, plan, actor, now, ct);

        // About one entry in twelve was last reviewed long ago, so the overdue list has something to show.
        const string Age = """
            update directory_units set reviewed_at = reviewed_at - interval '240 days'
            where municipality_code = @code and abs(hashtext(external_key)) % 12 = 0;
            update directory_people set reviewed_at = reviewed_at - interval '200 days'
            where municipality_code = @code and abs(hashtext(external_key)) % 12 = 0;
            """;
        await conn.ExecuteAsync(new CommandDefinition(Age, new { code = m.Code }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return result;
    }
}
