using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.OpeningHours;

namespace Umearegionen.Switchboard.Answers;

/// <summary>
/// An answer ("svar") as clients see and send it: a question, the answer an operator reads out, and
/// where it applies. MunicipalityCode null: shared by every served municipality (administrators keep it).
/// ValidFrom and ValidTo are local dates (Europe/Stockholm), both inclusive; null means open-ended.
/// </summary>
public sealed record AnswerEntry(
    Guid Id, string? MunicipalityCode, string? ExternalKey, string Question, string Answer, IReadOnlyList<string> Topics,
    IReadOnlyList<Guid> UnitIds, IReadOnlyList<EService> EServices, DateOnly? ValidFrom, DateOnly? ValidTo,
    DateTimeOffset ReviewedAt, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public bool IsValidOn(DateOnly day) => (ValidFrom is null || ValidFrom <= day) && (ValidTo is null || ValidTo >= day);
}

public sealed record AnswerEntryRequest(
    string? MunicipalityCode, string? ExternalKey, string? Question, string? Answer, IReadOnlyList<string?>? Topics,
    IReadOnlyList<Guid>? UnitIds, IReadOnlyList<EService?>? EServices, DateOnly? ValidFrom, DateOnly? ValidTo);

/// <summary>An answer's fields after checking: trimmed, line endings as \n.</summary>
public sealed record AnswerValues(
    string? MunicipalityCode, string? ExternalKey, string Question, string Answer, string[] Topics, Guid[] UnitIds,
    EService[] EServices, DateOnly? ValidFrom, DateOnly? ValidTo);

public sealed record AnswerPage(IReadOnlyList<AnswerEntry> Answers, int? NextOffset);

/// <summary>Which answers a list shows; null means any.</summary>
public sealed record AnswerFilter(
    string? Municipality, bool SharedOnly, bool WithShared, string? Topic, Guid? Unit, string? Text, DateOnly? ValidOn, int Offset, int Limit);

public static class AnswerStore
{
    public const string EntityType = "answer";

    public const int MaxQuestion = 300;
    public const int MaxAnswer = 4000;
    public const int MaxTopics = 20;
    public const int MaxUnits = 20;
    public const int MaxEServices = 10;
    public const int MaxNoticeAnswers = 10;

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(OpeningHoursRegistration.TimeZoneId);

    /// <summary>The local date (Europe/Stockholm) of an instant: the day validity dates are compared with.</summary>
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);

    /// <summary>The first instant of the next local day: when the answers valid "today" may change.</summary>
    public static DateTimeOffset NextMidnight(DateTimeOffset now)
    {
        var tomorrow = Today(now).AddDays(1).ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(tomorrow, Zone.GetUtcOffset(tomorrow));
    }

    /// <summary>Checks everything that needs no database; unit links are checked in the writing transaction.</summary>
    public static AnswerValues Check(AnswerEntryRequest r, FieldErrors errors)
    {
        string? code = null;
        if (!string.IsNullOrWhiteSpace(r.MunicipalityCode))
        {
            code = Contact.RequiredText(errors, "municipalityCode", r.MunicipalityCode, 4);
        }

        var topics = new List<string>();
        foreach (var (topic, i) in (r.Topics ?? []).Select((t, i) => (t, i)))
        {
            var text = Contact.RequiredName(errors, $"topics[{i}]", topic, Units.MaxTopic);
            if (text.Length > 0 && !topics.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                topics.Add(text);
            }
        }

        if (topics.Count > MaxTopics)
        {
            errors.Add("topics", $"An answer may have at most {MaxTopics} topics (it has {topics.Count}).");
        }

        var units = (r.UnitIds ?? []).Distinct().ToArray();
        if (units.Length > MaxUnits)
        {
            errors.Add("unitIds", $"An answer may link to at most {MaxUnits} units (it has {units.Length}).");
        }

        if (units.Contains(Guid.Empty))
        {
            errors.Add("unitIds", "unitIds must be ids of units in the directory; the empty id is not one.");
        }

        var services = new List<EService>();
        foreach (var (service, i) in (r.EServices ?? []).Select((s, i) => (s, i)))
        {
            var name = Contact.RequiredName(errors, $"eServices[{i}].name", service?.Name, Units.MaxName);
            var url = Contact.Link(errors, $"eServices[{i}].url", service?.Url, required: true);
            services.Add(new EService(name, url));
        }

        if (services.Count > MaxEServices)
        {
            errors.Add("eServices", $"An answer may link to at most {MaxEServices} e-services (it has {services.Count}).");
        }

        if (r.ValidFrom is { } from && r.ValidTo is { } to && to < from)
        {
            errors.Add("validTo", $"validTo ({to:yyyy-MM-dd}) must not be before validFrom ({from:yyyy-MM-dd}).");
        }

        return new AnswerValues(
            code, Contact.Name(errors, "externalKey", r.ExternalKey, Units.MaxKey),
            Contact.RequiredName(errors, "question", r.Question, MaxQuestion),
            ReadableText(errors, "answer", r.Answer, MaxAnswer),
            [.. topics], units, [.. services], r.ValidFrom, r.ValidTo);
    }

    /// <summary>
    /// Text read out to a caller: required, at most <paramref name="maxLength"/>, lines (\n, \r\n) allowed,
    /// but each line plain text (<see cref="PlainText"/>: no other control characters, no direction overrides).
    /// </summary>
    public static string ReadableText(FieldErrors errors, string field, string? value, int maxLength)
    {
        var text = value?.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() ?? "";
        errors.Required(field, text, maxLength);
        var lines = text.Split('\n');
        var offset = 0;
        foreach (var line in lines)
        {
            var at = PlainText.FirstUnsafe(line);
            if (at >= 0)
            {
                errors.Add(field, $"{field} may have several lines, but no other control characters or text-direction overrides " +
                                  $"(it has U+{(int)line[at]:X4} at position {offset + at + 1}).");
                break;
            }

            offset += line.Length + 1;
        }

        return text;
    }

    private const string Columns = """
        id, municipality_code, external_key, question, answer, to_jsonb(topics)::text as topics, to_jsonb(unit_ids)::text as unit_ids,
        e_services::text as e_services, valid_from, valid_to, reviewed_at, version, created_at, updated_at
        """;

    public static async Task<AnswerEntry?> FindAsync(NpgsqlConnection conn, Guid id, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        const string Find = $"select {Columns} from answers where id = @id";
        const string FindForUpdate = Find + " for update";
        var row = await conn.QuerySingleOrDefaultAsync<AnswerRow>(new CommandDefinition(forUpdate ? FindForUpdate : Find, new { id }, tx, cancellationToken: ct));
        return row?.ToEntry();
    }

    public static async Task<AnswerPage> ListAsync(NpgsqlConnection conn, AnswerFilter f, CancellationToken ct)
    {
        const string Sql = $"""
            select {Columns} from answers
            where (case when @sharedOnly then municipality_code is null
                        when @municipality::text is null then true
                        else municipality_code = @municipality or (@withShared and municipality_code is null) end)
              and (@topic::text is null or exists (select 1 from unnest(topics) t where lower(t) = lower(@topic)))
              and (@unit::uuid is null or @unit = any (unit_ids))
              and (@text::text is null or directory_norm(question || ' ' || answer) like '%' || directory_norm(@text) || '%')
              and (@validOn::date is null or ((valid_from is null or valid_from <= @validOn) and (valid_to is null or valid_to >= @validOn)))
            order by municipality_code nulls first, question, id
            offset @offset limit @take
            """;
        var rows = (await conn.QueryAsync<AnswerRow>(new CommandDefinition(Sql, new
        {
            municipality = f.Municipality, sharedOnly = f.SharedOnly, withShared = f.WithShared, topic = f.Topic, unit = f.Unit,
            text = f.Text, validOn = f.ValidOn, offset = f.Offset, take = f.Limit + 1,
        }, cancellationToken: ct))).Select(r => r.ToEntry()).ToList();
        var more = rows.Count > f.Limit;
        return new AnswerPage(rows.Take(f.Limit).ToList(), more ? f.Offset + f.Limit : null);
    }

    public static async Task<AnswerEntry> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, AnswerValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            insert into answers (id, municipality_code, external_key, question, answer, topics, unit_ids, e_services,
                valid_from, valid_to, reviewed_at, version, created_at, updated_at)
            values (@id, @MunicipalityCode, @ExternalKey, @Question, @Answer, @Topics, @UnitIds, @servicesJson::jsonb,
                @ValidFrom, @ValidTo, @now, 1, @now, @now)
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<AnswerRow>(new CommandDefinition(Sql, Parameters(v, id, now), tx, cancellationToken: ct));
        return row.ToEntry();
    }

    public static async Task<AnswerEntry> UpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, AnswerValues v, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = $"""
            update answers set external_key = @ExternalKey, question = @Question, answer = @Answer, topics = @Topics,
                unit_ids = @UnitIds, e_services = @servicesJson::jsonb, valid_from = @ValidFrom, valid_to = @ValidTo,
                version = version + 1, updated_at = @now
            where id = @id
            returning {Columns}
            """;
        var row = await conn.QuerySingleAsync<AnswerRow>(new CommandDefinition(Sql, Parameters(v, id, now), tx, cancellationToken: ct));
        return row.ToEntry();
    }

    private static object Parameters(AnswerValues v, Guid id, DateTimeOffset now) => new
    {
        id, now, v.MunicipalityCode, v.ExternalKey, v.Question, v.Answer, v.Topics, v.UnitIds,
        servicesJson = JsonSerializer.Serialize(v.EServices, Units.Json), v.ValidFrom, v.ValidTo,
    };

    /// <summary>The municipality exists, every linked unit exists, and the external key is free in the municipality.</summary>
    public static async Task CheckReferencesAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid? self, AnswerValues v, FieldErrors errors, CancellationToken ct)
    {
        if (v.MunicipalityCode is { Length: > 0 } code && !await Municipalities.ExistsAsync(conn, tx, code, ct))
        {
            errors.Add("municipalityCode", $"No municipality has code '{code}'.");
        }

        if (v.UnitIds.Length > 0)
        {
            var found = (await conn.QueryAsync<Guid>(new CommandDefinition(
                "select id from directory_units where id = any (@ids)", new { ids = v.UnitIds }, tx, cancellationToken: ct))).ToHashSet();
            foreach (var (unit, i) in v.UnitIds.Select((u, i) => (u, i)).Where(x => !found.Contains(x.u)))
            {
                errors.Add($"unitIds[{i}]", $"No unit has id {unit}; link only to units in the directory.");
            }
        }

        if (v.ExternalKey is not null)
        {
            const string Sql = """
                select exists (select 1 from answers
                               where coalesce(municipality_code, '') = coalesce(@MunicipalityCode, '') and external_key = @ExternalKey and id <> @self)
                """;
            if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition(Sql, new { v.MunicipalityCode, v.ExternalKey, self = self ?? Guid.Empty }, tx, cancellationToken: ct)))
            {
                errors.Add("externalKey", $"Another answer of {v.MunicipalityCode ?? "the shared answers"} already has the key '{v.ExternalKey}'.");
            }
        }
    }

    /// <summary>A notice's answers must exist and be its municipality's or shared.</summary>
    public static async Task CheckNoticeAnswersAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string municipality, Guid[] ids, FieldErrors errors, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return;
        }

        var found = (await conn.QueryAsync<(Guid Id, string? MunicipalityCode)>(new CommandDefinition(
            "select id, municipality_code from answers where id = any (@ids)", new { ids }, tx, cancellationToken: ct))).ToDictionary(a => a.Id, a => a.MunicipalityCode);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            if (!found.TryGetValue(id, out var code))
            {
                errors.Add($"answerIds[{i}]", $"No answer has id {id}.");
            }
            else if (code is not null && code != municipality)
            {
                errors.Add($"answerIds[{i}]", $"The answer belongs to municipality {code}; a notice of {municipality} may point to its own or shared answers.");
            }
        }
    }

    /// <summary>The answers notices point to that are valid today, in the order given, for a call's view.</summary>
    public static async Task<IReadOnlyList<Contracts.SuggestedAnswer>> ForNoticesAsync(
        NpgsqlConnection conn, Guid[] ids, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select a.id, a.question, a.answer, a.municipality_code, u.id as unit_id, u.name as unit_name
            from answers a left join directory_units u on u.id = a.unit_ids[1]
            where a.id = any (@ids)
              and (a.valid_from is null or a.valid_from <= @today) and (a.valid_to is null or a.valid_to >= @today)
            order by array_position(@ids, a.id)
            """;
        var rows = await conn.QueryAsync<(Guid Id, string Question, string Answer, string? MunicipalityCode, Guid? UnitId, string? UnitName)>(
            new CommandDefinition(Sql, new { ids, today = Today(now) }, cancellationToken: ct));
        return rows.Select(r => new Contracts.SuggestedAnswer(r.Id, r.Question, r.Answer, r.MunicipalityCode, r.UnitId, r.UnitName, "notice")).ToList();
    }

    private sealed record AnswerRow(
        Guid Id, string? MunicipalityCode, string? ExternalKey, string Question, string Answer, string Topics, string UnitIds,
        string EServices, DateOnly? ValidFrom, DateOnly? ValidTo, DateTimeOffset ReviewedAt, int Version, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt)
    {
        public AnswerEntry ToEntry() => new(Id, MunicipalityCode, ExternalKey, Question, Answer,
            JsonSerializer.Deserialize<string[]>(Topics, Units.Json) ?? [], JsonSerializer.Deserialize<Guid[]>(UnitIds, Units.Json) ?? [],
            JsonSerializer.Deserialize<EService[]>(EServices, Units.Json) ?? [], ValidFrom, ValidTo, ReviewedAt, Version, CreatedAt, UpdatedAt);
    }
}
