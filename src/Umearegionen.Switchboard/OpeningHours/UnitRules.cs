namespace Umearegionen.Switchboard.OpeningHours;

/// <summary>A directory unit with its stored hours, if any, and the rules they make.</summary>
/// <param name="Rules">The effective rules (the unit's hours, its municipality's holiday policy merged
/// with the unit's override, the directory's closed action); null when no hours are stored.</param>
/// <param name="PolicyVersion">The municipality's policy version; 0 while it uses the default.</param>
public sealed record UnitWithRules(
    Guid UnitId, string UnitName, string MunicipalityCode, ClosedAction WhenClosed,
    StoredUnitHours? Hours, HolidayPolicy MunicipalityPolicy, int PolicyVersion, OpeningRules? Rules);

/// <summary>A unit's hours as stored: its own part of the rules, without what it inherits.</summary>
public sealed record StoredUnitHours(
    WeeklySchedule Weekly, IReadOnlyList<DateException> Exceptions, HolidayPolicyOverride? HolidayOverride,
    int Version, DateTimeOffset ReviewedAt, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>
/// Loads units' effective opening rules in one query: the unit (directory), its hours and its
/// municipality's holiday policy. Evaluation then happens in memory.
/// </summary>
public static class UnitRules
{
    public static async Task<IReadOnlyDictionary<Guid, UnitWithRules>> LoadAsync(
        NpgsqlConnection conn, IReadOnlyCollection<Guid> unitIds, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        const string Sql = """
            select u.id as unit_id, u.name as unit_name, u.municipality_code,
                   u.when_closed_kind, u.when_closed_phone, u.when_closed_url, u.when_closed_text,
                   h.weekly::text as weekly, h.exceptions::text as exceptions, h.holiday_override::text as holiday_override,
                   h.version, h.reviewed_at, h.updated_at, h.updated_by,
                   p.policy::text as municipality_policy, coalesce(p.version, 0) as policy_version
            from directory_units u
            left join opening_hours_units h on h.unit_id = u.id
            left join opening_hours_holiday_policies p on p.municipality_code = u.municipality_code
            where u.id = any(@ids)
            """;
        var sql = forUpdate ? Sql + "\nfor update of u" : Sql;
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(sql, new { ids = unitIds.Distinct().ToArray() }, tx, cancellationToken: ct));
        return rows.Select(ToUnit).ToDictionary(u => u.UnitId);
    }

    public static async Task<UnitWithRules?> LoadAsync(NpgsqlConnection conn, Guid unitId, CancellationToken ct) =>
        (await LoadAsync(conn, [unitId], ct)).GetValueOrDefault(unitId);

    /// <summary>The directory's "when closed" columns as the rules' closed action; the directory owns them.</summary>
    public static ClosedAction ClosedActionOf(string kind, string? phone, string? url, string? text) => kind switch
    {
        "on-call" => new ClosedAction(ClosedActionKind.OnCallNumber, phone, url, text),
        "e-service" => new ClosedAction(ClosedActionKind.EService, phone, url, text),
        "callback" => new ClosedAction(ClosedActionKind.Callback, phone, url, text),
        "message" => new ClosedAction(ClosedActionKind.Message, phone, url, text),
        _ => new ClosedAction(ClosedActionKind.None, phone, url, text),
    };

    private static UnitWithRules ToUnit(Row row)
    {
        var policy = row.MunicipalityPolicy is null ? HolidayPolicy.Default : OpeningHoursHttp.Deserialize<HolidayPolicy>(row.MunicipalityPolicy);
        var whenClosed = ClosedActionOf(row.WhenClosedKind, row.WhenClosedPhone, row.WhenClosedUrl, row.WhenClosedText);
        if (row.Weekly is null)
        {
            return new UnitWithRules(row.UnitId, row.UnitName, row.MunicipalityCode, whenClosed, null, policy, row.PolicyVersion, null);
        }

        var hours = new StoredUnitHours(
            OpeningHoursHttp.Deserialize<WeeklySchedule>(row.Weekly),
            OpeningHoursHttp.Deserialize<List<DateException>>(row.Exceptions!),
            row.HolidayOverride is null ? null : OpeningHoursHttp.Deserialize<HolidayPolicyOverride>(row.HolidayOverride),
            row.Version!.Value, row.ReviewedAt!.Value, row.UpdatedAt!.Value, row.UpdatedBy!);
        var rules = new OpeningRules(hours.Weekly, hours.Exceptions, policy.Merge(hours.HolidayOverride), whenClosed);
        return new UnitWithRules(row.UnitId, row.UnitName, row.MunicipalityCode, whenClosed, hours, policy, row.PolicyVersion, rules);
    }

    private sealed record Row(
        Guid UnitId, string UnitName, string MunicipalityCode,
        string WhenClosedKind, string? WhenClosedPhone, string? WhenClosedUrl, string? WhenClosedText,
        string? Weekly, string? Exceptions, string? HolidayOverride,
        int? Version, DateTimeOffset? ReviewedAt, DateTimeOffset? UpdatedAt, string? UpdatedBy,
        string? MunicipalityPolicy, int PolicyVersion);
}
