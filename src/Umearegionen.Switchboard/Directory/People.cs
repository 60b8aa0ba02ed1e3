namespace Umearegionen.Switchboard.Directory;

/// <summary>Referral ("hänvisning"): away until a time, why, and whom callers are referred to meanwhile.</summary>
public sealed record Referral(DateTimeOffset? Until, string? Reason, string? ReferTo, string? ReferToPhone);

public sealed record Person(
    Guid Id, string MunicipalityCode, Guid UnitId, string? ExternalKey, string Name, string? Title, string? Phone,
    string? Email, Referral? Referral, DateTimeOffset ReviewedAt, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record PersonRequest(
    Guid? UnitId, string? ExternalKey, string? Name, string? Title, string? Phone, string? Email, Referral? Referral);

public sealed record PersonValues(
    Guid UnitId, string? ExternalKey, string Name, string? Title, string? Phone, string? Email, Referral? Referral);

public static class People
{
    public const string EntityType = "directory_person";
    public const int MaxName = 200;
    public const int MaxTitle = 200;
    public const int MaxReason = 300;

    public static PersonValues Check(PersonRequest r, FieldErrors errors)
    {
        if (r.UnitId is null)
        {
            errors.Add("unitId", "unitId is required: the unit the person works in.");
        }

        Referral? referral = null;
        if (r.Referral is { } given && (given.Until is not null || !string.IsNullOrWhiteSpace(given.Reason)
                || !string.IsNullOrWhiteSpace(given.ReferTo) || !string.IsNullOrWhiteSpace(given.ReferToPhone)))
        {
            if (given.Until is null)
            {
                errors.Add("referral.until", "referral.until is required: when the person is back (e.g. 2026-11-24T08:00:00+01:00).");
            }

            referral = new Referral(given.Until,
                Contact.Text(errors, "referral.reason", given.Reason, MaxReason),
                Contact.Name(errors, "referral.referTo", given.ReferTo, MaxName),
                Contact.Phone(errors, "referral.referToPhone", given.ReferToPhone));
        }

        return new PersonValues(
            r.UnitId ?? Guid.Empty, Contact.Text(errors, "externalKey", r.ExternalKey, Units.MaxKey),
            Contact.RequiredName(errors, "name", r.Name, MaxName), Contact.Text(errors, "title", r.Title, MaxTitle),
            Contact.Phone(errors, "phone", r.Phone), Contact.Email(errors, "email", r.Email), referral);
    }

    private const string Columns = """
        id, municipality_code, unit_id, external_key, name, title, phone, email, referral_until, referral_reason,
        referral_to, referral_phone, reviewed_at, version, created_at, updated_at
        """;

    public static async Task<Person?> FindAsync(NpgsqlConnection conn, Guid id, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        const string Find = $"select {Columns} from directory_people where id = @id";
        const string FindForUpdate = Find + " for update";
        var sql = forUpdate ? FindForUpdate : Find;
        var row = await conn.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        return row?.ToPerson();
    }

    public static async Task<IReadOnlyList<Person>> ListAsync(NpgsqlConnection conn, string? municipality, Guid? unit, CancellationToken ct)
    {
        const string Sql = $"""
            select {Columns} from directory_people
            where (@municipality::text is null or municipality_code = @municipality)
              and (@unit::uuid is null or unit_id = @unit)
            order by municipality_code, name
            """;
        var rows = await conn.QueryAsync<PersonRow>(new CommandDefinition(Sql, new { municipality, unit }, cancellationToken: ct));
        return rows.Select(r => r.ToPerson()).ToList();
    }

    public static async Task<Person> InsertAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, string municipalityCode, PersonValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            insert into directory_people (id, municipality_code, unit_id, external_key, name, title, phone, email,
                referral_until, referral_reason, referral_to, referral_phone, reviewed_at, version, created_at, updated_at)
            values (@id, @municipalityCode, @UnitId, @ExternalKey, @Name, @Title, @Phone, @Email,
                @until, @reason, @referTo, @referToPhone, @now, 1, @now, @now)
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<PersonRow>(new CommandDefinition(Sql, Parameters(v, id, municipalityCode, now), tx, cancellationToken: ct));
        return row.ToPerson();
    }

    public static async Task<Person> UpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, PersonValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            update directory_people set unit_id = @UnitId, external_key = @ExternalKey, name = @Name, title = @Title,
                phone = @Phone, email = @Email, referral_until = @until, referral_reason = @reason,
                referral_to = @referTo, referral_phone = @referToPhone, version = version + 1, updated_at = @now
            where id = @id
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<PersonRow>(new CommandDefinition(Sql, Parameters(v, id, "", now), tx, cancellationToken: ct));
        return row.ToPerson();
    }

    private static object Parameters(PersonValues v, Guid id, string municipalityCode, DateTimeOffset now) => new
    {
        id, municipalityCode, now, v.UnitId, v.ExternalKey, v.Name, v.Title, v.Phone, v.Email,
        until = v.Referral?.Until?.ToUniversalTime(), // Npgsql writes timestamptz only from offset zero
        reason = v.Referral?.Reason,
        referTo = v.Referral?.ReferTo,
        referToPhone = v.Referral?.ReferToPhone,
    };

    /// <summary>The municipality of the unit a person is placed in; null when there is no such unit.</summary>
    public static Task<string?> UnitMunicipalityAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid unitId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "select municipality_code from directory_units where id = @unitId", new { unitId }, tx, cancellationToken: ct));

    private sealed record PersonRow(
        Guid Id, string MunicipalityCode, Guid UnitId, string? ExternalKey, string Name, string? Title, string? Phone,
        string? Email, DateTimeOffset? ReferralUntil, string? ReferralReason, string? ReferralTo, string? ReferralPhone,
        DateTimeOffset ReviewedAt, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Person ToPerson() => new(Id, MunicipalityCode, UnitId, ExternalKey, Name, Title, Phone, Email,
            ReferralUntil is null ? null : new Referral(ReferralUntil, ReferralReason, ReferralTo, ReferralPhone),
            ReviewedAt, Version, CreatedAt, UpdatedAt);
    }
}
