namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// A municipality's own identifier of a unit or a person (docs/directory.md, "External key"; the CSV import
/// links by it) is unique among that municipality's units, and among its people.
/// </summary>
internal sealed record ExternalKeys(string Sql, string Noun)
{
    public static readonly ExternalKeys OfUnits = new("""
        select exists (select 1 from directory_units
                       where municipality_code = @municipality and external_key = @key and id <> @self)
        """, "unit");

    public static readonly ExternalKeys OfPeople = new("""
        select exists (select 1 from directory_people
                       where municipality_code = @municipality and external_key = @key and id <> @self)
        """, "person");

    /// <summary>An error on externalKey when another entry of <paramref name="municipality"/> has <paramref name="key"/>; <paramref name="self"/> is the entry changed (none when new).</summary>
    public async Task CheckFreeAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid? self, string? municipality, string? key, FieldErrors errors, CancellationToken ct)
    {
        if (key is null || municipality is null)
        {
            return;
        }

        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition(Sql, new { municipality, key, self = self ?? Guid.Empty }, tx, cancellationToken: ct)))
        {
            errors.Add("externalKey", $"Another {Noun} of {municipality} already has the key '{key}'; keys are unique per municipality.");
        }
    }
}
