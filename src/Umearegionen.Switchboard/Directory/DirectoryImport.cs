namespace Umearegionen.Switchboard.Directory;

/// <summary>One data row of an import: its row number in the file (the header is row 1) and its fields by column.</summary>
public sealed record ImportRow(int Row, IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string column] => Fields.TryGetValue(column, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
}

public sealed record ImportRowError(int Row, string Field, string Message);

public sealed record ImportResult(int UnitsCreated, int PeopleCreated);

/// <summary>A checked import, ready to write: units parents-first, then people.</summary>
public sealed record ImportPlan(IReadOnlyList<(Guid Id, UnitValues Values)> Units, IReadOnlyList<(Guid Id, PersonValues Values)> People);

/// <summary>
/// Loads a municipality's units and people in one go: every row is checked, and nothing is written
/// unless all rows pass. Import only creates entries; a key already used in the municipality is an error.
/// </summary>
public static class DirectoryImport
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "type", "key", "parent", "name", "level", "title", "phone", "email", "address", "topics", "eservices", "eservice_steps",
        "closed_kind", "closed_phone", "closed_url", "closed_text",
        "referral_until", "referral_reason", "referral_to", "referral_phone",
    ];

    public const int MaxRows = 50_000;

    /// <summary>Parses a CSV text into rows; problems with the file itself are reported on row 1.</summary>
    public static IReadOnlyList<ImportRow> ReadCsv(string text, List<ImportRowError> errors) =>
        CsvImport.ReadRows(text, Columns, ["type", "name"], MaxRows, "unit or person", errors);

    /// <summary>Checks every row against the rules and the municipality's existing entries.</summary>
    public static async Task<ImportPlan> PlanAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, string code, IReadOnlyList<ImportRow> rows, List<ImportRowError> errors, CancellationToken ct)
    {
        const string ExistingSql = """
            select 'unit' as kind, external_key, id from directory_units where municipality_code = @code and external_key is not null
            union all
            select 'person', external_key, id from directory_people where municipality_code = @code and external_key is not null
            """;
        var existing = (await conn.QueryAsync<(string Kind, string Key, Guid Id)>(new CommandDefinition(ExistingSql, new { code }, tx, cancellationToken: ct))).ToList();
        var existingUnits = existing.Where(e => e.Kind == "unit").ToDictionary(e => e.Key, e => e.Id, StringComparer.Ordinal);
        var existingPeople = existing.Where(e => e.Kind == "person").Select(e => e.Key).ToHashSet(StringComparer.Ordinal);

        var units = new List<(ImportRow Row, Guid Id, UnitValues Values, string? ParentKey)>();
        var people = new List<(ImportRow Row, PersonValues Values, string ParentKey)>();
        var fileKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var fieldErrors = new FieldErrors();
            var type = row["type"]?.ToLowerInvariant();
            var key = row["key"];
            if (key is not null && !fileKeys.TryAdd($"{type}:{key}", row.Row))
            {
                errors.Add(new ImportRowError(row.Row, "key", $"The key '{key}' is also used on row {fileKeys[$"{type}:{key}"]}; keys must be unique."));
            }

            switch (type)
            {
                case "unit":
                    var unit = Units.Check(UnitFrom(code, row, fieldErrors), fieldErrors);
                    if (key is not null && existingUnits.ContainsKey(key))
                    {
                        fieldErrors.Add("key", $"A unit with the key '{key}' already exists in {code}; import only creates new entries.");
                    }

                    units.Add((row, Guid.CreateVersion7(), unit, row["parent"]));
                    break;
                case "person":
                    if (row["eservice_steps"] is not null)
                    {
                        fieldErrors.Add("eservice_steps", "eservice_steps belongs to a unit's e-services; a person has none.");
                    }

                    var person = People.Check(PersonFrom(row, fieldErrors), fieldErrors);
                    if (key is not null && existingPeople.Contains(key))
                    {
                        fieldErrors.Add("key", $"A person with the key '{key}' already exists in {code}; import only creates new entries.");
                    }

                    if (row["parent"] is null)
                    {
                        fieldErrors.Add("parent", "parent is required for a person: the key of the unit they work in.");
                    }

                    people.Add((row, person, row["parent"] ?? ""));
                    break;
                default:
                    fieldErrors.Add("type", "type must be 'unit' or 'person'.");
                    break;
            }

            foreach (var (field, messages) in fieldErrors.ToDictionary())
            {
                errors.AddRange(messages.Select(m => new ImportRowError(row.Row, Column(field), m)));
            }
        }

        // Resolve parents: a unit of the file or an existing unit of the municipality, parents first.
        var idByKey = new Dictionary<string, Guid>(existingUnits, StringComparer.Ordinal);
        foreach (var u in units.Where(u => u.Values.ExternalKey is not null))
        {
            idByKey.TryAdd(u.Values.ExternalKey!, u.Id);
        }

        var tree = UnitTree.Order([.. units.Select(u => new UnitTree.Node(u.Values.ExternalKey, u.ParentKey))], existingUnits.ContainsKey);
        foreach (var i in tree.UnknownParent)
        {
            errors.Add(new ImportRowError(units[i].Row.Row, "parent", $"No unit has the key '{units[i].ParentKey}', neither in the file nor in {code}."));
        }

        foreach (var cycle in tree.Cycles)
        {
            var rowList = string.Join(", ", cycle.Take(10).Select(i => units[i].Row.Row)) + (cycle.Count > 10 ? $" and {cycle.Count - 10} more" : "");
            errors.AddRange(cycle.Select(i => new ImportRowError(units[i].Row.Row, "parent",
                $"The parents of rows {rowList} form a cycle; a unit cannot be its own ancestor.")));
        }

        errors.AddRange(tree.UnderCycle.Select(u => new ImportRowError(units[u.Unit].Row.Row, "parent",
            $"This unit is below a cycle of parents (through row {units[u.CycleMember].Row.Row}); correct the cycle.")));

        var ordered = tree.ParentsFirst
            .Where(i => units[i].ParentKey is null || idByKey.ContainsKey(units[i].ParentKey!))
            .Select(i => (units[i].Id, units[i].Values with { ParentId = units[i].ParentKey is null ? null : idByKey[units[i].ParentKey!] }))
            .ToList();

        var plannedPeople = new List<(Guid, PersonValues)>();
        foreach (var p in people.Where(p => p.ParentKey.Length > 0))
        {
            if (idByKey.TryGetValue(p.ParentKey, out var unitId))
            {
                plannedPeople.Add((Guid.CreateVersion7(), p.Values with { UnitId = unitId }));
            }
            else
            {
                errors.Add(new ImportRowError(p.Row.Row, "parent", $"No unit has the key '{p.ParentKey}', neither in the file nor in {code}."));
            }
        }

        errors.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : string.CompareOrdinal(a.Field, b.Field));
        return new ImportPlan(ordered, plannedPeople);
    }

    /// <summary>Writes a checked plan in the caller's transaction, with an audit record per entry.</summary>
    public static async Task<ImportResult> WriteAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string code, ImportPlan plan, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var (id, values) in plan.Units)
        {
            var unit = await Units.InsertAsync(conn, tx, id, values, now, ct);
            await Audit.RecordAsync(conn, tx, actor, now, Units.EntityType, id.ToString(), code, "imported", null, unit);
        }

        foreach (var (id, values) in plan.People)
        {
            var person = await People.InsertAsync(conn, tx, id, code, values, now, ct);
            await Audit.RecordAsync(conn, tx, actor, now, People.EntityType, id.ToString(), code, "imported", null, person);
        }

        return new ImportResult(plan.Units.Count, plan.People.Count);
    }

    private static UnitRequest UnitFrom(string code, ImportRow row, FieldErrors errors)
    {
        // Not trimmed: the steps' line breaks are their separators (RFC 4180 keeps a quoted cell's CR LF as it is).
        var steps = row.Fields.GetValueOrDefault("eservice_steps")?.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var services = CsvImport.EServicesWithSteps(row["eservices"], steps, errors);
        return new UnitRequest(code, null, row["key"], row["level"], row["name"], row["phone"], row["email"], row["address"],
            [.. CsvImport.Split(row["topics"])], services,
            new WhenClosed(row["closed_kind"], row["closed_phone"], row["closed_url"], row["closed_text"]));
    }

    private static PersonRequest PersonFrom(ImportRow row, FieldErrors errors)
    {
        DateTimeOffset? until = null;
        if (row["referral_until"] is { } text)
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var parsed))
            {
                until = parsed;
            }
            else
            {
                errors.Add("referral.until", $"'{text}' is not a date and time; write e.g. 2026-11-24T08:00:00+01:00.");
            }
        }

        var referral = row["referral_until"] is null && row["referral_reason"] is null && row["referral_to"] is null && row["referral_phone"] is null
            ? null
            : new Referral(until, row["referral_reason"], row["referral_to"], row["referral_phone"]);
        // The unit is resolved from the parent key later; a placeholder keeps the field check quiet.
        return new PersonRequest(Guid.NewGuid(), row["key"], row["name"], row["title"], row["phone"], row["email"], referral);
    }

    /// <summary>The CSV column a request field came from.</summary>
    private static string Column(string field) => field switch
    {
        "externalKey" => "key",
        "visitingAddress" => "address",
        "municipalityCode" => "municipality",
        "whenClosed.kind" => "closed_kind",
        "whenClosed.phone" => "closed_phone",
        "whenClosed.url" => "closed_url",
        "whenClosed.text" => "closed_text",
        "referral.until" => "referral_until",
        "referral.reason" => "referral_reason",
        "referral.referTo" => "referral_to",
        "referral.referToPhone" => "referral_phone",
        _ when field.StartsWith("topics", StringComparison.Ordinal) => "topics",
        _ when field.StartsWith("eServices[", StringComparison.Ordinal) && field.Contains("].steps", StringComparison.Ordinal) => "eservice_steps",
        _ when field.StartsWith("eServices", StringComparison.Ordinal) => "eservices",
        _ => field,
    };
}
