namespace Umearegionen.Switchboard.Directory;

/// <summary>
/// An e-service: its name and link, and for a unit's e-services optionally numbered steps an operator
/// reads to a caller who needs help on the phone (null when it has none).
/// </summary>
public sealed record EService(string? Name, string? Url, IReadOnlyList<string>? Steps = null);

/// <summary>What callers are offered when the unit is closed.</summary>
public sealed record WhenClosed(string? Kind, string? Phone, string? Url, string? Text)
{
    public static readonly IReadOnlyList<string> Kinds = ["none", "on-call", "e-service", "callback", "message"];

    public static readonly WhenClosed None = new("none", null, null, null);
}

/// <summary>An organisational unit as clients see and send it.</summary>
public sealed record Unit(
    Guid Id, string MunicipalityCode, Guid? ParentId, string? ExternalKey, string Level, string Name,
    string? Phone, string? Email, string? VisitingAddress, IReadOnlyList<string> Topics,
    IReadOnlyList<EService> EServices, WhenClosed WhenClosed, DateTimeOffset ReviewedAt, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record UnitRequest(
    string? MunicipalityCode, Guid? ParentId, string? ExternalKey, string? Level, string? Name,
    string? Phone, string? Email, string? VisitingAddress, IReadOnlyList<string?>? Topics,
    IReadOnlyList<EService?>? EServices, WhenClosed? WhenClosed);

/// <summary>A unit's fields after checking: trimmed, phone numbers in E.164.</summary>
public sealed record UnitValues(
    string MunicipalityCode, Guid? ParentId, string? ExternalKey, string Level, string Name, string? Phone,
    string? Email, string? VisitingAddress, string[] Topics, EService[] EServices, WhenClosed WhenClosed);

public static class Units
{
    public const string EntityType = "directory_unit";
    public static readonly IReadOnlyList<string> Levels = ["administration", "department", "unit"];

    public const int MaxName = 200;
    public const int MaxAddress = 300;
    public const int MaxTopic = 100;
    public const int MaxTopics = 50;
    public const int MaxEServices = 30;
    public const int MaxSteps = 20;
    public const int MaxStep = 500;
    public const int MaxText = 1000;
    public const int MaxKey = 100;

    /// <summary>Checks everything that needs no database; references are checked in the writing transaction.</summary>
    public static UnitValues Check(UnitRequest r, FieldErrors errors)
    {
        var code = Contact.RequiredText(errors, "municipalityCode", r.MunicipalityCode, 4);
        var level = string.IsNullOrWhiteSpace(r.Level) ? "unit" : r.Level.Trim().ToLowerInvariant();
        if (!Levels.Contains(level))
        {
            errors.Add("level", $"level must be one of: {string.Join(", ", Levels)}.");
        }

        var topics = new List<string>();
        foreach (var (topic, i) in (r.Topics ?? []).Select((t, i) => (t, i)))
        {
            var field = $"topics[{i}]";
            var text = Contact.RequiredText(errors, field, topic, MaxTopic);
            if (text.Length > 0 && !topics.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                topics.Add(text);
            }
        }

        if (topics.Count > MaxTopics)
        {
            errors.Add("topics", $"A unit may have at most {MaxTopics} topics (it has {topics.Count}).");
        }

        var services = new List<EService>();
        foreach (var (service, i) in (r.EServices ?? []).Select((s, i) => (s, i)))
        {
            var name = Contact.RequiredText(errors, $"eServices[{i}].name", service?.Name, MaxName);
            var url = Contact.Link(errors, $"eServices[{i}].url", service?.Url, required: true);
            services.Add(new EService(name, url, CheckSteps(errors, $"eServices[{i}].steps", service?.Steps)));
        }

        if (services.Count > MaxEServices)
        {
            errors.Add("eServices", $"A unit may have at most {MaxEServices} e-services (it has {services.Count}).");
        }

        return new UnitValues(
            code, r.ParentId, Contact.Text(errors, "externalKey", r.ExternalKey, MaxKey), level,
            Contact.RequiredName(errors, "name", r.Name, MaxName),
            Contact.Phone(errors, "phone", r.Phone), Contact.Email(errors, "email", r.Email),
            Contact.Text(errors, "visitingAddress", r.VisitingAddress, MaxAddress),
            [.. topics], [.. services], CheckWhenClosed(r.WhenClosed, errors));
    }

    /// <summary>An e-service's steps: each a text of its own (one line), in order; none gives null.</summary>
    public static IReadOnlyList<string>? CheckSteps(FieldErrors errors, string field, IReadOnlyList<string>? steps)
    {
        if (steps is null || steps.Count == 0)
        {
            return null;
        }

        if (steps.Count > MaxSteps)
        {
            errors.Add(field, $"An e-service may have at most {MaxSteps} steps (it has {steps.Count}).");
        }

        var checkedSteps = new List<string>();
        foreach (var (step, i) in steps.Select((s, i) => (s, i)))
        {
            checkedSteps.Add(Contact.RequiredName(errors, $"{field}[{i}]", step, MaxStep));
        }

        return checkedSteps;
    }

    private static WhenClosed CheckWhenClosed(WhenClosed? w, FieldErrors errors)
    {
        if (w is null)
        {
            return WhenClosed.None;
        }

        var kind = string.IsNullOrWhiteSpace(w.Kind) ? "none" : w.Kind.Trim().ToLowerInvariant();
        if (!WhenClosed.Kinds.Contains(kind))
        {
            errors.Add("whenClosed.kind", $"whenClosed.kind must be one of: {string.Join(", ", WhenClosed.Kinds)}.");
        }

        var phone = Contact.Phone(errors, "whenClosed.phone", w.Phone);
        var url = Contact.Link(errors, "whenClosed.url", w.Url);
        var text = Contact.Text(errors, "whenClosed.text", w.Text, MaxText);
        switch (kind)
        {
            case "on-call" when phone is null && string.IsNullOrWhiteSpace(w.Phone):
                errors.Add("whenClosed.phone", "An on-call alternative needs the number to refer callers to (whenClosed.phone).");
                break;
            case "e-service" when url is null && string.IsNullOrWhiteSpace(w.Url):
                errors.Add("whenClosed.url", "An e-service alternative needs its link (whenClosed.url).");
                break;
            case "message" when text is null:
                errors.Add("whenClosed.text", "A message alternative needs the message to give callers (whenClosed.text).");
                break;
        }

        return new WhenClosed(kind, phone, url, text);
    }

    private const string Columns = """
        id, municipality_code, parent_id, external_key, level, name, phone, email, visiting_address, to_jsonb(topics)::text as topics,
        e_services::text as e_services, when_closed_kind, when_closed_phone, when_closed_url, when_closed_text,
        reviewed_at, version, created_at, updated_at
        """;

    public static async Task<Unit?> FindAsync(NpgsqlConnection conn, Guid id, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        const string Find = $"select {Columns} from directory_units where id = @id";
        const string FindForUpdate = Find + " for update";
        var sql = forUpdate ? FindForUpdate : Find;
        var row = await conn.QuerySingleOrDefaultAsync<UnitRow>(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        return row?.ToUnit();
    }

    public static async Task<IReadOnlyList<Unit>> ListAsync(NpgsqlConnection conn, string? municipality, Guid? parent, CancellationToken ct)
    {
        const string Sql = $"""
            select {Columns} from directory_units
            where (@municipality::text is null or municipality_code = @municipality)
              and (@parent::uuid is null or parent_id = @parent)
            order by municipality_code, name
            """;
        var rows = await conn.QueryAsync<UnitRow>(new CommandDefinition(Sql, new { municipality, parent }, cancellationToken: ct));
        return rows.Select(r => r.ToUnit()).ToList();
    }

    public static async Task<Unit> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, UnitValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            insert into directory_units (id, municipality_code, parent_id, external_key, level, name, phone, email,
                visiting_address, topics, e_services, when_closed_kind, when_closed_phone, when_closed_url,
                when_closed_text, reviewed_at, version, created_at, updated_at)
            values (@id, @MunicipalityCode, @ParentId, @ExternalKey, @Level, @Name, @Phone, @Email, @VisitingAddress,
                @Topics, @servicesJson::jsonb, @kind, @closedPhone, @closedUrl, @closedText, @now, 1, @now, @now)
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<UnitRow>(new CommandDefinition(Sql, Parameters(v, id, now), tx, cancellationToken: ct));
        return row.ToUnit();
    }

    public static async Task<Unit> UpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, UnitValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            update directory_units set parent_id = @ParentId, external_key = @ExternalKey, level = @Level, name = @Name,
                phone = @Phone, email = @Email, visiting_address = @VisitingAddress, topics = @Topics,
                e_services = @servicesJson::jsonb, when_closed_kind = @kind, when_closed_phone = @closedPhone,
                when_closed_url = @closedUrl, when_closed_text = @closedText, version = version + 1, updated_at = @now
            where id = @id
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<UnitRow>(new CommandDefinition(Sql, Parameters(v, id, now), tx, cancellationToken: ct));
        return row.ToUnit();
    }

    private static object Parameters(UnitValues v, Guid id, DateTimeOffset now) => new
    {
        id, now, v.MunicipalityCode, v.ParentId, v.ExternalKey, v.Level, v.Name, v.Phone, v.Email, v.VisitingAddress,
        v.Topics,
        servicesJson = JsonSerializer.Serialize(v.EServices, Json),
        kind = v.WhenClosed.Kind,
        closedPhone = v.WhenClosed.Phone,
        closedUrl = v.WhenClosed.Url,
        closedText = v.WhenClosed.Text,
    };

    /// <summary>
    /// Database checks for a unit's references: the municipality exists, the parent exists in the
    /// same municipality, and the parent is not the unit itself or one of its descendants.
    /// </summary>
    public static async Task CheckReferencesAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid? self, UnitValues v, FieldErrors errors, CancellationToken ct)
    {
        if (v.MunicipalityCode.Length > 0 && !await Municipalities.ExistsAsync(conn, tx, v.MunicipalityCode, ct))
        {
            errors.Add("municipalityCode", $"No municipality has code '{v.MunicipalityCode}'.");
        }

        if (v.ParentId is not { } parentId)
        {
            return;
        }

        // Walks every ancestor, however deep: the walk stops at the unit itself, and `union` drops a row
        // already seen, so even a cycle already stored ends it. One index lookup per level.
        const string Sql = """
            with recursive ancestors (id, parent_id) as (
                select id, parent_id from directory_units where id = @parentId
                union
                select u.id, u.parent_id from directory_units u join ancestors a on u.id = a.parent_id
                where a.id <> @self
            )
            select (select municipality_code from directory_units where id = @parentId) as parent_municipality,
                   exists (select 1 from ancestors where id = @self) as cycle
            """;
        var (parentMunicipality, cycle) = await conn.QuerySingleAsync<(string?, bool)>(
            new CommandDefinition(Sql, new { parentId, self = self ?? Guid.Empty }, tx, cancellationToken: ct));
        if (parentMunicipality is null)
        {
            errors.Add("parentId", $"No unit has id {parentId}; choose an existing parent unit or none.");
        }
        else if (parentMunicipality != v.MunicipalityCode)
        {
            errors.Add("parentId", $"The parent unit belongs to municipality {parentMunicipality}; a unit's parent must be in the same municipality ({v.MunicipalityCode}).");
        }
        else if (cycle)
        {
            errors.Add("parentId", "The parent is this unit itself or one of its sub-units; that would make the tree a cycle.");
        }
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record UnitRow(
        Guid Id, string MunicipalityCode, Guid? ParentId, string? ExternalKey, string Level, string Name, string? Phone,
        string? Email, string? VisitingAddress, string Topics, string EServices, string WhenClosedKind,
        string? WhenClosedPhone, string? WhenClosedUrl, string? WhenClosedText, DateTimeOffset ReviewedAt, int Version,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Unit ToUnit() => new(Id, MunicipalityCode, ParentId, ExternalKey, Level, Name, Phone, Email, VisitingAddress,
            JsonSerializer.Deserialize<string[]>(Topics, Json) ?? [], JsonSerializer.Deserialize<EService[]>(EServices, Json) ?? [],
            new WhenClosed(WhenClosedKind, WhenClosedPhone, WhenClosedUrl, WhenClosedText), ReviewedAt, Version, CreatedAt, UpdatedAt);
    }
}
