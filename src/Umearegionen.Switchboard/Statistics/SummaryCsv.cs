namespace Umearegionen.Switchboard.Statistics;

/// <summary>The summaries as CSV files for Excel, with Swedish column names.</summary>
public static class SummaryCsv
{
    private static readonly object[] MetricHeaders =
    [
        "Erbjudna", "Besvarade", "Avbrutna", "Korta avbrott", "Besvarade inom mål", "Servicenivå", "Andel besvarade",
        "Medelväntetid (s)", "Väntetid 90:e percentil (s)", "Medelhanteringstid (s)", "Besvarade av växeln", "Kopplade",
        "Återuppringningar bokade", "Återuppringningar gjorda", "Återuppringningar missade", "Meddelanden", "Felanmälningar",
        "Studsar tillbaka", "Andel studsar", "Samtal till stängda mål", "Beläggning",
    ];

    public static FileContentHttpResult File(Summary summary)
    {
        var csv = new Csv().Row(["Grupp", "Namn", .. MetricHeaders]);
        foreach (var row in summary.Rows)
        {
            csv.Row([row.Key, SwedishLabel(summary.By, row), .. Cells(row.Metrics)]);
        }

        csv.Row(["Totalt", $"{summary.From:yyyy-MM-dd}–{summary.To:yyyy-MM-dd}", .. Cells(summary.Total)]);
        csv.Row(["Föregående period", $"{summary.PreviousFrom:yyyy-MM-dd}–{summary.PreviousTo:yyyy-MM-dd}", .. Cells(summary.PreviousTotal)]);
        var name = $"vaxelstatistik-{summary.By}-{summary.From:yyyy-MM-dd}-{summary.To:yyyy-MM-dd}.csv";
        return TypedResults.File(csv.ToBytes(), Csv.ContentType, name);
    }

    private static readonly string[] Weekdays = ["", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"];

    /// <summary>
    /// A row's name for the Swedish reader of the file: the JSON's labels are English for weekdays and for the rows
    /// without a municipality, unit, menu choice or operator ("(no menu choice)" is "(inget menyval)" here).
    /// </summary>
    internal static string? SwedishLabel(string by, SummaryRow row)
    {
        var parts = Dimensions.Parts(by).ToList();
        var keys = parts.Count == 1 ? [row.Key] : row.Key.Split('|', parts.Count);
        var labels = parts.Count == 1 ? [row.Label ?? row.Key] : (row.Label ?? row.Key).Split(" · ");
        if (keys.Length != parts.Count)
        {
            return row.Label;
        }

        return string.Join(" · ", parts.Select((part, i) => keys[i] switch
        {
            "" => part switch
            {
                Dimensions.Municipality => "(okänt slaget nummer)",
                Dimensions.Unit => "(ingen enhet)",
                Dimensions.Topic => "(inget menyval)",
                Dimensions.Operator => "(ingen telefonist)",
                _ => "–",
            },
            var key when part == Dimensions.Weekday && int.TryParse(key, out var day) && day is >= 1 and <= 7 => Weekdays[day],
            var key => labels.Length == parts.Count ? labels[i] : key,
        }));
    }

    /// <summary>
    /// One row per municipality, then a total row (every served municipality, so the amounts add up to
    /// the budget to the öre). The per-inhabitant rate is written with all its decimals.
    /// </summary>
    public static FileContentHttpResult File(CostSplit split)
    {
        var csv = new Csv().Row(
            "Kommunkod", "Kommun", "Invånare", "Samtal", "Andel samtal", "Hanterade minuter", "Andel minuter",
            "Andel enligt nyckel", "Belopp enligt nyckel (kr)", "Belopp efter samtal (kr)", "Belopp efter minuter (kr)",
            "Nyckel minus minuter (kr)", "Folkmängd år", "Folkmängd per", "Hanterade sekunder",
            "Extra öre nyckel", "Extra öre samtal", "Extra öre minuter");
        foreach (var s in split.Municipalities)
        {
            csv.Row(s.MunicipalityCode, s.Name, s.Population, s.Calls, s.CallShare, s.HandledMinutes, s.MinuteShare,
                s.KeyShare, s.KeyAmount, s.AmountByCalls, s.AmountByMinutes, s.KeyMinusMinutes,
                s.PopulationYear, s.PopulationReferenceDate, s.HandledSeconds, s.KeyExtraOre, s.CallsExtraOre, s.MinutesExtraOre);
        }

        var t = split.Total;
        csv.Row("Totalt", $"{t.Municipalities} kommuner", t.Population, t.Calls, null, Math.Round(t.HandledSeconds / 60.0, 1), null,
            null, t.KeyAmount, t.AmountByCalls, t.AmountByMinutes, t.KeyAmount - t.AmountByMinutes,
            split.PopulationYear, split.PopulationReferenceDate, t.HandledSeconds, null, null, null);
        csv.Row("Per invånare (kr)", split.PerInhabitantSource == "derived" ? "beräknat" : "inställt", Csv.Exact(split.PerInhabitant));
        var name = $"kostnadsfordelning-{split.From:yyyy-MM-dd}-{split.To:yyyy-MM-dd}.csv";
        return TypedResults.File(csv.ToBytes(), Csv.ContentType, name);
    }

    private static object?[] Cells(Metrics m) =>
    [
        m.Offered, m.Answered, m.Abandoned, m.ShortAbandoned, m.AnsweredWithinTarget, m.ServiceLevel, m.AnswerRate,
        m.AverageSpeedOfAnswerSeconds, m.SpeedOfAnswerP90Seconds, m.AverageHandleSeconds, m.AnsweredBySwitchboard,
        m.Transferred, m.CallbacksBooked, m.CallbacksKept, m.CallbacksMissed, m.Messages, m.FaultReports, m.BounceBacks,
        m.BounceBackRate, m.ClosedDestinations, m.Occupancy,
    ];
}
