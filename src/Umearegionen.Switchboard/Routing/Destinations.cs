using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.OpeningHours;

namespace Umearegionen.Switchboard.Routing;

/// <summary>A destination checked against the directory: the number to dial and, when it deserves one, a warning for the operator.</summary>
internal sealed record CheckedDestination(Destination Destination, string? Warning);

/// <summary>
/// Whose attempt a destination check is: the operator's connected call, and what they tried
/// ("transfer" with mode blind or attended, or "consultation"). A refusal is recorded in that call's history.
/// </summary>
internal sealed record DestinationAttempt(Guid CallId, Guid OperatorId, string Attempt, string? Mode);

/// <summary>
/// Where calls go, as the directory and opening hours know it: the likely destinations of a call
/// (suggestions), whether a transfer's destination exists, is open and is present, whether a
/// callback window lies in a unit's hours, and whom a message is for. Used when an operator takes
/// a call, resyncs or acts on it; never by the dispatcher, whose offers carry no suggestions.
/// </summary>
public sealed class Destinations(
    IUnitOpenStatus openStatus, OpeningHoursEvaluator evaluator, IOptions<OpeningHoursOptions> hoursOptions, DirectoryChangeFeed changes,
    ILogger<Destinations> logger)
{
    /// <summary>More municipality and topic pairs than a switchboard's menus make: beyond it the kept lists are dropped.</summary>
    private const int MaxKeptSuggestionLists = 1_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Municipality, string Topic), KeptSuggestions> _suggestions = new();

    /// <summary>How many destinations a call's suggestions list.</summary>
    public const int SuggestionCount = 8;

    /// <summary>How many answers a call's view lists (docs/answers.md).</summary>
    public const int AnswerCount = 3;

    /// <summary>The longest callback window checked day by day against a unit's hours.</summary>
    public static readonly TimeSpan MaxCallbackWindow = TimeSpan.FromDays(31);

    /// <summary>
    /// Suggestions for a call that has just been taken or is shown again: a failure here must not
    /// undo or hide the step itself, so it is logged and the view goes without (GetSuggestions retries).
    /// Within a step's transaction (<paramref name="step"/>) a failure goes back to <see cref="ViewReads.Savepoint"/>.
    /// </summary>
    internal async Task<CallView> ForCallAsync(
        NpgsqlConnection conn, CallView call, DateTimeOffset now, CancellationToken ct, NpgsqlTransaction? step = null)
    {
        try
        {
            var (suggestions, answers) = await SuggestWithAnswersAsync(conn, call.MunicipalityCode, call.MenuTopic, now, ct);
            // A notice in force for the call can point to answers: they come first (one statement, only then).
            var pointed = call.Notices.SelectMany(n => n.AnswerIds ?? []).Distinct().ToArray();
            if (pointed.Length > 0)
            {
                var first = await Answers.AnswerStore.ForNoticesAsync(conn, pointed, now, ct);
                answers = [.. first, .. answers.Where(a => !first.Any(f => f.Id == a.Id))];
            }

            return call with { Suggestions = suggestions, Answers = answers };
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            RoutingLog.SuggestionsFailed(logger, ex, call.Id);
            await ViewReads.RecoverAsync(step);
            return call;
        }
    }

    /// <summary>
    /// The likely destinations of a call, best first: the directory search (docs/directory.md) with the
    /// menu topic as query, limited to the dialled municipality when known; without a topic, or when
    /// it matches nothing there, the municipality's top units. Then each unit's status now.
    /// </summary>
    /// <remarks>
    /// The list before the status depends only on the directory and on who is away until when, so it
    /// is kept per municipality and topic while <see cref="DirectoryChangeFeed"/> listens: until the
    /// next change to the directory or opening hours, or until the first away notice in it ends,
    /// whichever comes first. Calls of one municipality and topic arrive many a second at peaks.
    /// </remarks>
    public async Task<IReadOnlyList<SuggestedDestination>> SuggestAsync(
        NpgsqlConnection conn, string? municipality, string? menuTopic, DateTimeOffset now, CancellationToken ct) =>
        (await SuggestWithAnswersAsync(conn, municipality, menuTopic, now, ct)).Suggestions;

    /// <summary>
    /// <see cref="SuggestAsync"/> with the answers valid today found by the same search (docs/answers.md).
    /// The kept list also ends at the next local midnight, when answers may become valid or stop being so.
    /// </summary>
    public async Task<(IReadOnlyList<SuggestedDestination> Suggestions, IReadOnlyList<SuggestedAnswer> Answers)> SuggestWithAnswersAsync(
        NpgsqlConnection conn, string? municipality, string? menuTopic, DateTimeOffset now, CancellationToken ct)
    {
        var key = (municipality ?? "", menuTopic?.Trim() ?? "");
        List<SuggestedDestination> suggestions;
        List<SuggestedAnswer> answers;
        if (_suggestions.TryGetValue(key, out var kept) && changes.IsCurrent(kept.Token) && kept.From <= now && now < kept.Until)
        {
            (suggestions, answers) = (kept.Suggestions, kept.Answers);
        }
        else
        {
            // Taken before the reads: a change committed meanwhile makes this list not current at once.
            var token = changes.Begin();
            (suggestions, answers) = await ReadSuggestionsAsync(conn, municipality, menuTopic, now, ct);
            if (token is { } t)
            {
                if (_suggestions.Count > MaxKeptSuggestionLists)
                {
                    _suggestions.Clear();
                }

                var until = suggestions.Select(x => x.Away?.Until).Where(u => u > now).Min() ?? DateTimeOffset.MaxValue;
                var midnight = Answers.AnswerStore.NextMidnight(now);
                _suggestions[key] = new KeptSuggestions(t, now, until < midnight ? until : midnight, suggestions, answers);
            }
        }

        var status = await openStatus.OpenNowAsync(suggestions.Select(s => s.UnitId).Distinct().ToList(), now, ct);
        return (suggestions.Select(s => status.TryGetValue(s.UnitId, out var open) ? WithStatus(s, open, now) : s).ToList(), answers);
    }

    /// <summary>The suggestions and answers as the directory has them, without status; two statements at most.</summary>
    private static async Task<(List<SuggestedDestination>, List<SuggestedAnswer>)> ReadSuggestionsAsync(
        NpgsqlConnection conn, string? municipality, string? menuTopic, DateTimeOffset now, CancellationToken ct)
    {
        var suggestions = new List<SuggestedDestination>();
        var answers = new List<SuggestedAnswer>();
        if (!string.IsNullOrWhiteSpace(menuTopic) && DirectorySearch.TsQuery(menuTopic).Length > 0)
        {
            var hits = await DirectorySearch.SearchAsync(conn, menuTopic.Trim(), municipality, SuggestionCount * 2 + AnswerCount, now, ct);
            var seen = new HashSet<Guid>();
            foreach (var hit in hits)
            {
                if (hit.Kind == "answer")
                {
                    if (answers.Count < AnswerCount)
                    {
                        answers.Add(new SuggestedAnswer(hit.Id, hit.Title, hit.Detail ?? "", hit.MunicipalityCode, hit.UnitId, hit.UnitName, "topic"));
                    }

                    continue;
                }

                // A unit, its topics and its e-services all lead to the unit; people are destinations of their own.
                var id = hit.Kind == "person" ? hit.Id : hit.UnitId!.Value;
                if (seen.Add(id))
                {
                    suggestions.Add(hit.Kind == "person"
                        ? Suggestion("person", hit.Id, hit.Title, hit.Detail, hit, "topic")
                        : Suggestion("unit", hit.UnitId!.Value, hit.UnitName!, null, hit, "topic"));
                }
            }
        }

        if (suggestions.Count == 0 && municipality is not null)
        {
            suggestions.AddRange(await TopUnitsAsync(conn, municipality, ct));
        }

        return (await WithEServicesAsync(conn, suggestions.Take(SuggestionCount).ToList(), ct), answers);
    }

    /// <summary>
    /// The suggested units' e-services with the number of steps each has (one statement; kept with the list). The steps
    /// stay out of the push: a unit may have 30 e-services of 20 steps of 500 characters (docs/hub.md, Destinations).
    /// </summary>
    private static async Task<List<SuggestedDestination>> WithEServicesAsync(
        NpgsqlConnection conn, List<SuggestedDestination> suggestions, CancellationToken ct)
    {
        var ids = suggestions.Where(s => s.Kind == "unit").Select(s => s.UnitId).Distinct().ToArray();
        if (ids.Length == 0)
        {
            return suggestions;
        }

        const string Sql = """
            select u.id,
                   coalesce((select jsonb_agg(jsonb_build_object(
                                 'name', e.value ->> 'name', 'url', e.value ->> 'url',
                                 'stepCount', case jsonb_typeof(e.value -> 'steps') when 'array' then jsonb_array_length(e.value -> 'steps') else 0 end)
                                 order by e.ordinality)
                             from jsonb_array_elements(u.e_services) with ordinality as e), '[]')::text as services
            from directory_units u
            where u.id = any (@ids)
            """;
        var rows = await conn.QueryAsync<(Guid Id, string Services)>(new CommandDefinition(Sql, new { ids }, cancellationToken: ct));
        var byUnit = rows.ToDictionary(r => r.Id, r => (IReadOnlyList<SuggestedEService>)(
            System.Text.Json.JsonSerializer.Deserialize<SuggestedEService[]>(r.Services, System.Text.Json.JsonSerializerOptions.Web) ?? []));
        return suggestions.Select(s => s.Kind == "unit" ? s with { EServices = byUnit.GetValueOrDefault(s.UnitId, []) } : s).ToList();
    }

    private sealed record KeptSuggestions(
        long Token, DateTimeOffset From, DateTimeOffset Until, List<SuggestedDestination> Suggestions, List<SuggestedAnswer> Answers);

    private static SuggestedDestination Suggestion(string kind, Guid id, string name, string? title, SearchHit hit, string why) => new(
        kind, id, name, title, hit.UnitId!.Value, hit.UnitName!, hit.MunicipalityCode!, hit.Phone, hit.Email, OpenNow.Unknown.Status, null, null,
        false, Fallback(hit.WhenClosed.Kind, hit.WhenClosed.Phone, hit.WhenClosed.Url, hit.WhenClosed.Text),
        kind == "person" && hit.Referral is { } r ? new AwayNotice(r.Until, r.Reason, r.ReferTo, r.ReferToPhone) : null, why);

    private SuggestedDestination WithStatus(SuggestedDestination s, OpenNow open, DateTimeOffset now) => s with
    {
        OpenStatus = open.Status,
        ClosesAt = open.Status == "open" ? open.Until : null,
        OpensAt = open.Status == "closed" ? open.Until : null,
        ClosingSoon = ClosingSoon(open, now),
    };

    private bool ClosingSoon(OpenNow open, DateTimeOffset now) =>
        open is { Status: "open", Until: { } closes } && closes - now <= hoursOptions.Value.ClosingSoonWarning;

    private static async Task<IEnumerable<SuggestedDestination>> TopUnitsAsync(NpgsqlConnection conn, string municipality, CancellationToken ct)
    {
        // Top of the municipality's tree first (administrations, then departments), then by name.
        const string Sql = """
            select id, name, municipality_code, phone, email, when_closed_kind, when_closed_phone, when_closed_url, when_closed_text
            from directory_units
            where municipality_code = @municipality
            order by parent_id is not null, case level when 'administration' then 0 when 'department' then 1 else 2 end, name, id
            limit @limit
            """;
        var rows = await conn.QueryAsync<UnitRow>(new CommandDefinition(Sql, new { municipality, limit = SuggestionCount }, cancellationToken: ct));
        return rows.Select(u => new SuggestedDestination(
            "unit", u.Id, u.Name, null, u.Id, u.Name, u.MunicipalityCode, u.Phone, u.Email, OpenNow.Unknown.Status, null, null, false,
            u.Fallback, null, "municipality"));
    }

    /// <summary>
    /// Checks a transfer's or consultation's destination. A free number passes as given. A unit must
    /// exist and not be closed now (unknown hours pass); a person must exist, and a blind transfer to
    /// someone away needs <paramref name="acknowledgeAway"/>. The number dialled becomes the
    /// directory's: the person's direct number, else their unit's.
    /// </summary>
    internal async Task<CheckedDestination> CheckAsync(
        NpgsqlConnection conn, DestinationAttempt attempt, Destination destination, bool blind, bool acknowledgeAway, DateTimeOffset now,
        CancellationToken ct)
    {
        if (destination.Kind == "number" || string.IsNullOrWhiteSpace(destination.Id))
        {
            return new CheckedDestination(destination, null);
        }

        var id = DirectoryId("destination.id", destination.Id, destination.Kind);
        return destination.Kind == "person"
            ? await CheckPersonAsync(conn, attempt, destination, id, blind, acknowledgeAway, now, ct)
            : await CheckUnitAsync(conn, attempt, destination, id, now, ct);
    }

    /// <summary>
    /// Appends a refusal to the call's event history (docs/metrics.md, closed destinations): one
    /// statement, so all or nothing, and only while the call is this operator's connected call. The
    /// call's state and version do not change. Ids of directory entries and what to offer instead;
    /// nothing about the caller. A failure here is logged and the operator still gets the refusal.
    /// </summary>
    private async Task RecordRefusalAsync(
        NpgsqlConnection conn, DestinationAttempt attempt, string type, string kind, Guid destinationId, object data, DateTimeOffset now,
        CancellationToken ct)
    {
        const string Sql = $"""
            {CallSql.InsertEvent}
            select id, @type, @now, @me::text, @data::jsonb
            from calls
            where id = @callId and state = 'connected' and operator_id = @me
            """;
        try
        {
            var recorded = await conn.ExecuteAsync(new CommandDefinition(Sql, new
            {
                type, now, me = attempt.OperatorId, callId = attempt.CallId, data = Json.Of(data),
            }, cancellationToken: ct));
            if (recorded > 0)
            {
                RoutingLog.DestinationRefused(logger, attempt.CallId, attempt.OperatorId, attempt.Attempt, type, kind, destinationId);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            RoutingLog.RefusalNotRecorded(logger, ex, attempt.CallId);
        }
    }

    private async Task<CheckedDestination> CheckUnitAsync(
        NpgsqlConnection conn, DestinationAttempt attempt, Destination destination, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select id, name, municipality_code, phone, email, when_closed_kind, when_closed_phone, when_closed_url, when_closed_text
            from directory_units where id = @id
            """;
        var unit = await conn.QuerySingleOrDefaultAsync<UnitRow>(new CommandDefinition(Sql, new { id }, cancellationToken: ct))
                   ?? throw RoutingErrors.Invalid($"destination.id: there is no unit {id} in the directory.");
        var open = (await openStatus.OpenNowAsync([id], now, ct))[id];
        if (open.Status == "closed")
        {
            await RecordRefusalAsync(conn, attempt, "destination_closed", "unit", id, new
            {
                unitId = id.ToString(), unitName = unit.Name, attempt = attempt.Attempt, mode = attempt.Mode, opensAt = open.Until,
                fallback = unit.Fallback,
            }, now, ct);
            throw RoutingErrors.Of(HubErrors.DestinationClosed,
                $"{unit.Name} is closed {Until(open.Until)}; offer the caller: {Describe(unit.Fallback)}.");
        }

        var number = unit.Phone ?? (PhoneNumbers.LooksValid(destination.Number) ? destination.Number : null)
                     ?? throw RoutingErrors.Invalid($"destination.id: {unit.Name} has no telephone number in the directory; give destination.number.");
        var warning = ClosingSoon(open, now)
            ? $"closes-soon: {unit.Name} closes at {Local(open.Until!.Value)}; the caller may not reach anyone after that."
            : null;
        return new CheckedDestination(destination with { Id = id.ToString(), Number = PhoneNumbers.Normalise(number), Name = unit.Name }, warning);
    }

    private async Task<CheckedDestination> CheckPersonAsync(
        NpgsqlConnection conn, DestinationAttempt attempt, Destination destination, Guid id, bool blind, bool acknowledgeAway,
        DateTimeOffset now, CancellationToken ct)
    {
        const string Sql = """
            select p.id, p.name, coalesce(p.phone, u.phone) as phone, p.email, u.id as unit_id, u.name as unit_name,
                   p.referral_until, p.referral_reason, p.referral_to, p.referral_phone
            from directory_people p join directory_units u on u.id = p.unit_id
            where p.id = @id
            """;
        var person = await conn.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(Sql, new { id }, cancellationToken: ct))
                     ?? throw RoutingErrors.Invalid($"destination.id: there is no person {id} in the directory.");
        string? warning = null;
        if (person.ReferralUntil > now)
        {
            var away = $"{person.Name} is away until {Local(person.ReferralUntil.Value)}"
                       + (person.ReferralReason is null ? "" : $" ({person.ReferralReason})")
                       + (person.ReferralTo is null && person.ReferralPhone is null ? "" : $"; refer to {string.Join(", ", new[] { person.ReferralTo, person.ReferralPhone }.Where(x => x is not null))}");
            if (blind && !acknowledgeAway)
            {
                // Recorded by ids only: who is away, and why, stays in the directory.
                await RecordRefusalAsync(conn, attempt, "destination_away", "person", id, new
                {
                    personId = id.ToString(), unitId = person.UnitId.ToString(), attempt = attempt.Attempt, mode = attempt.Mode,
                    awayUntil = person.ReferralUntil,
                }, now, ct);
                throw RoutingErrors.Of(HubErrors.PersonAway, away + ". Transfer anyway with acknowledgeAway: true.");
            }

            warning = $"{HubErrors.PersonAway}: {away}.";
        }

        var number = person.Phone ?? (PhoneNumbers.LooksValid(destination.Number) ? destination.Number : null)
                     ?? throw RoutingErrors.Invalid($"destination.id: neither {person.Name} nor {person.UnitName} has a telephone number in the directory; give destination.number.");
        return new CheckedDestination(destination with { Id = id.ToString(), Number = PhoneNumbers.Normalise(number), Name = person.Name }, warning);
    }

    /// <summary>
    /// The unit a callback is booked with, and a warning when its hours are unknown. The window
    /// must lie within one of the unit's open periods (abutting intervals joined); otherwise the
    /// refusal names the unit's hours on the window's first day and its next opening.
    /// </summary>
    internal async Task<(string UnitName, string? Warning)> CheckCallbackWindowAsync(
        NpgsqlConnection conn, string unitId, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, CancellationToken ct)
    {
        if (end - start > MaxCallbackWindow)
        {
            throw RoutingErrors.Invalid($"windowEnd: a callback window can be at most {MaxCallbackWindow.TotalDays} days long.");
        }

        var id = DirectoryId("unitId", unitId, "unit");
        var unit = await UnitRules.LoadAsync(conn, id, ct) ?? throw RoutingErrors.Invalid($"unitId: there is no unit {id} in the directory.");
        if (unit.Rules is null)
        {
            return (unit.UnitName, $"hours-unknown: {unit.UnitName} has no opening hours in the switchboard, so the window could not be checked.");
        }

        var firstDay = DateOnly.FromDateTime(evaluator.ToLocal(start).DateTime);
        if (firstDay.Year < SwedishCalendar.FirstSupportedYear || firstDay.AddDays(MaxCallbackWindow.Days + 1).Year > SwedishCalendar.LastSupportedYear)
        {
            throw RoutingErrors.Invalid($"windowStart: {start:yyyy-MM-dd} is outside the years opening hours cover.");
        }

        var lastDay = DateOnly.FromDateTime(evaluator.ToLocal(end).DateTime);
        var intervals = new List<OpenInterval>();
        for (var day = firstDay.AddDays(-1); day <= lastDay; day = day.AddDays(1))
        {
            intervals.AddRange(evaluator.HoursOn(unit.Rules, day).Intervals);
        }

        if (Merge(intervals).Any(i => i.Start <= start && end <= i.End))
        {
            return (unit.UnitName, null);
        }

        var hours = evaluator.HoursOn(unit.Rules, firstDay).Intervals;
        var onFirstDay = hours.Count == 0
            ? $"closed on {firstDay:yyyy-MM-dd}"
            : $"open {string.Join(", ", hours.Select(i => $"{Clock(i.Start)}–{Clock(i.End)}"))} on {firstDay:yyyy-MM-dd}";
        var from = start > now ? start : now;
        var status = evaluator.Evaluate(unit.Rules, from);
        var next = status.IsOpen
            ? $"open at {Local(from)} until {(status.ClosesAt is { } c ? Local(c) : "further notice")}"
            : status.OpensAt is { } opens ? $"next opening {Local(opens)}" : "no opening in the coming year";
        throw RoutingErrors.Invalid(
            $"windowStart/windowEnd: {unit.UnitName} is not open for the whole window {Local(start)}–{Local(end)}; the unit is {onFirstDay} ({next}).");
    }

    /// <summary>A message's recipient from the directory: the given name and e-mail win, the directory fills the rest.</summary>
    internal static async Task<(string? Name, string? Email)> RecipientAsync(
        NpgsqlConnection conn, string kind, string recipientId, CancellationToken ct)
    {
        var id = DirectoryId("recipientId", recipientId, kind);
        var sql = kind == "person"
            ? "select name, email from directory_people where id = @id"
            : "select name, email from directory_units where id = @id";
        var found = await conn.QuerySingleOrDefaultAsync<NameAndEmail>(new CommandDefinition(sql, new { id }, cancellationToken: ct))
                    ?? throw RoutingErrors.Invalid($"recipientId: there is no {kind} {id} in the directory.");
        return (found.Name, found.Email);
    }

    private static Guid DirectoryId(string field, string text, string kind) =>
        Guid.TryParse(text, out var id) ? id : throw RoutingErrors.Invalid($"{field} \"{text}\" is not a directory id; pick the {kind} from the directory.");

    private static List<OpenInterval> Merge(List<OpenInterval> intervals)
    {
        var merged = new List<OpenInterval>();
        foreach (var i in intervals.OrderBy(i => i.Start))
        {
            if (merged.Count > 0 && merged[^1].End >= i.Start)
            {
                merged[^1] = merged[^1] with { End = merged[^1].End > i.End ? merged[^1].End : i.End };
            }
            else
            {
                merged.Add(i);
            }
        }

        return merged;
    }

    internal static ClosedFallback Fallback(string? kind, string? phone, string? url, string? text) => new(kind ?? "none", phone, url, text);

    /// <summary>What the operator should offer the caller, in words.</summary>
    internal static string Describe(ClosedFallback fallback) => fallback.Kind switch
    {
        "on-call" => $"the on-call number {fallback.Phone}" + (fallback.Text is null ? "" : $" ({fallback.Text})"),
        "e-service" => $"the e-service {fallback.Url}" + (fallback.Text is null ? "" : $" ({fallback.Text})"),
        "callback" => "a callback when the unit is open (BookCallback)" + (fallback.Text is null ? "" : $" ({fallback.Text})"),
        "message" => fallback.Text ?? "a message to the unit (TakeMessage)",
        _ => fallback.Text ?? "the unit's opening hours, or a message (TakeMessage)",
    };

    private string Until(DateTimeOffset? until) => until is { } u ? $"until {Local(u)}" : "with no opening in the coming year";

    private string Local(DateTimeOffset instant) => evaluator.ToLocal(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private string Clock(DateTimeOffset instant) => evaluator.ToLocal(instant).ToString("HH:mm", CultureInfo.InvariantCulture);

    private sealed record UnitRow(
        Guid Id, string Name, string MunicipalityCode, string? Phone, string? Email, string WhenClosedKind, string? WhenClosedPhone,
        string? WhenClosedUrl, string? WhenClosedText)
    {
        public ClosedFallback Fallback => Destinations.Fallback(WhenClosedKind, WhenClosedPhone, WhenClosedUrl, WhenClosedText);
    }

    private sealed record PersonRow(
        Guid Id, string Name, string? Phone, string? Email, Guid UnitId, string UnitName, DateTimeOffset? ReferralUntil, string? ReferralReason,
        string? ReferralTo, string? ReferralPhone);

    private sealed record NameAndEmail(string Name, string? Email);
}
