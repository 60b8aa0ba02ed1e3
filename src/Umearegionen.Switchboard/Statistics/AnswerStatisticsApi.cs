namespace Umearegionen.Switchboard.Statistics;

/// <summary>
/// GET /api/statistics/answers: first-contact resolution, the answers used and never used, and the calls
/// transferred although an answer existed (docs/metrics.md). Access as the summary: editors their own municipality.
/// </summary>
public static class AnswerStatisticsApi
{
    public static readonly IReadOnlyList<string> Tables = ["answers", "resolution", "transferred"];

    public static async Task<Results<Ok<AnswerStatistics>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        string? from, string? to, string? municipality, string? format, string? table, ClaimsPrincipal user,
        NpgsqlDataSource dataSource, IOptions<StatisticsOptions> options, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var period = SummaryRequest.Period(from, to, options.Value.MaxRangeDays, errors);
        var csv = SummaryRequest.WantsCsv(format, errors);
        var part = string.IsNullOrWhiteSpace(table) ? "answers" : table.Trim().ToLowerInvariant();
        if (!Tables.Contains(part))
        {
            errors.Add("table", $"table must be one of {string.Join(", ", Tables)} (the CSV's table; answers when left out).");
        }

        await StatisticsApi.CheckMunicipalityAsync(municipality, dataSource, errors, ct);
        if (errors.Any || period is null)
        {
            return errors.ToProblem();
        }

        var (scope, forbidden) = SummaryRequest.Scope(user, municipality);
        if (forbidden)
        {
            return Problems.Forbidden("An editor sees their own municipality's statistics only; leave out municipality or ask for your own.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var statistics = await AnswerStatisticsQueries.BuildAsync(conn, period.Value, scope, ct);
        return csv ? File(statistics, part) : TypedResults.Ok(statistics);
    }

    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static FileContentHttpResult File(AnswerStatistics s, string table)
    {
        var csv = new Csv();
        switch (table)
        {
            case "resolution":
                csv.Row("Grupp", "Nyckel", "Namn", "Besvarade", "Besvarade av växeln", "Med svar", "Lösta vid första kontakten");
                csv.Row(["Totalt", "", $"{s.From:yyyy-MM-dd}–{s.To:yyyy-MM-dd}", .. Cells(s.Total)]);
                foreach (var r in s.ByMunicipality)
                {
                    csv.Row(["Kommun", r.Key, r.Key == "" ? "(okänt slaget nummer)" : r.Label, .. Cells(r)]);
                }

                foreach (var r in s.ByTopic)
                {
                    csv.Row(["Menyval", r.Key, r.Key == "" ? "(inget menyval)" : r.Label, .. Cells(r)]);
                }

                break;
            case "transferred":
                csv.Row("Menyval", "Samtals-id", "Köade", "Kommunkod", "Kopplat till", "Svar som fanns");
                foreach (var t in s.TransferredDespiteAnswers.ByTopic)
                {
                    foreach (var c in t.Calls)
                    {
                        csv.Row(t.Topic == "" ? "(inget menyval)" : t.Topic, c.CallId.ToString(),
                            TimeZoneInfo.ConvertTime(c.QueuedAt, Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                            c.MunicipalityCode, c.UnitName, string.Join(" | ", c.Questions));
                    }
                }

                csv.Row("Totalt", $"{s.TransferredDespiteAnswers.Count} samtal");
                break;
            default:
                csv.Row("Svar-id", "Fråga", "Kommunkod", "Använt", "Med länk skickad", "Andel av besvarade samtal", "Borttaget");
                foreach (var a in s.Answers)
                {
                    csv.Row(a.AnswerId.ToString(), a.Question, a.MunicipalityCode ?? "(alla kommuner)", a.TimesUsed, a.WithLinkSent,
                        a.ShareOfAnswered, a.Removed ? "ja" : "nej");
                }

                foreach (var a in s.Unused)
                {
                    csv.Row(a.AnswerId.ToString(), a.Question, a.MunicipalityCode ?? "(alla kommuner)", 0, 0, 0.0, "nej");
                }

                csv.Row("Totalt", $"{s.Answers.Count} använda, {s.Unused.Count} oanvända", "", s.Answers.Sum(a => a.TimesUsed),
                    s.Answers.Sum(a => a.WithLinkSent), s.Total.Answered == 0 ? null : Math.Round((double)s.Total.WithAnswer / s.Total.Answered, 4), "");
                break;
        }

        var name = $"svarsstatistik-{table}-{s.From:yyyy-MM-dd}-{s.To:yyyy-MM-dd}.csv";
        return TypedResults.File(csv.ToBytes(), Csv.ContentType, name);
    }

    private static object?[] Cells(FirstContactRow r) => [r.Answered, r.ResolvedBySwitchboard, r.WithAnswer, r.Rate];
}
